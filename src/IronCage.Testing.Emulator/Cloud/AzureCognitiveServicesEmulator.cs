using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IronCage.Testing.Emulator.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronCage.Testing.Emulator;

/// <summary>
/// Azure Resource Manager's key calls for Cognitive Services / Azure OpenAI accounts and the accounts' data plane, on a
/// loopback Kestrel server. ARM is at <see cref="BaseAddress"/> (playing <c>https://management.azure.com/</c>):
/// <c>POST subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.CognitiveServices/accounts/{a}/listKeys</c> and
/// <c>…/regenerateKey</c> (<c>{"keyName":"Key1"|"Key2"}</c>), each requiring <c>api-version</c> and
/// <c>Authorization: Bearer </c><see cref="ArmToken"/>, with ARM's <c>{"error":{"code","message"}}</c> bodies. With
/// <see cref="AsynchronousRegenerate"/> a regenerate answers 202 with <c>Location</c>, <c>Azure-AsyncOperation</c> and
/// <c>Retry-After</c>, and the slot changes when the operation completes after <see cref="PollsBeforeCompletion"/> polls.
/// Each account's data plane (<see cref="DataPlaneAddress"/>, playing <c>https://{a}.openai.azure.com/</c>) answers
/// <c>GET openai/v1/models</c> and <c>POST openai/v1/chat/completions</c> for an <c>api-key</c> header holding a current
/// slot key, and 401 otherwise.
/// </summary>
public sealed class AzureCognitiveServicesEmulator : IAsyncDisposable
{
    private const string DataPlanePrefix = "/dataplane/";
    private readonly object _gate = new();
    private readonly Dictionary<string, Account> _accounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private readonly List<string> _requests = [];
    private readonly List<AzureKeyRegeneration> _regenerations = [];
    private readonly List<string> _issuedKeys = [];
    private WebApplication? _app;
    private bool _failNextRegenerateAfterActing;
    private bool _newKeysRefusedByDataPlane;

    private AzureCognitiveServicesEmulator()
    {
    }

    /// <summary>Gets the ARM bearer token requests must carry.</summary>
    public string ArmToken { get; } = "arm-" + RandomNumberGenerator.GetHexString(32, lowercase: true);

    /// <summary>Gets the api-version values ARM accepts.</summary>
    public ICollection<string> ApiVersions { get; } = new HashSet<string>(StringComparer.Ordinal) { "2023-05-01", "2024-10-01", "2025-06-01", "2026-03-01" };

    /// <summary>Gets ARM's address, playing <c>https://management.azure.com/</c>; it ends in <c>/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets or sets a value indicating whether regenerateKey answers 202 and an operation to poll instead of 200 with the keys.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AsynchronousRegenerate { get; set; }

    /// <summary>Gets or sets how many polls answer <c>InProgress</c> before an asynchronous regenerate completes.</summary>
    /// <value>The default value is 1.</value>
    public int PollsBeforeCompletion { get; set; } = 1;

    /// <summary>Gets every request received, as <c>METHOD path</c> (no query), oldest first.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Gets every slot regeneration, oldest first, with the value it gave the slot (one whose answer failed included).</summary>
    public IReadOnlyList<AzureKeyRegeneration> Regenerations
    {
        get
        {
            lock (_gate)
            {
                return [.. _regenerations];
            }
        }
    }

    /// <summary>Gets every key value any slot ever held (the accounts' first keys and every regenerated one), for leak checks.</summary>
    public IReadOnlyList<string> IssuedKeys
    {
        get
        {
            lock (_gate)
            {
                return [.. _issuedKeys];
            }
        }
    }

    /// <summary>Gets or sets a value indicating whether values regenerated from now on are refused by the data plane (401) although ARM lists them: a new key that fails verification.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool NewKeysRefusedByDataPlane
    {
        get
        {
            lock (_gate)
            {
                return _newKeysRefusedByDataPlane;
            }
        }

        set
        {
            lock (_gate)
            {
                _newKeysRefusedByDataPlane = value;
            }
        }
    }

    /// <summary>Starts an emulator on 127.0.0.1 with a port the system picks.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop it.</returns>
    public static async Task<AzureCognitiveServicesEmulator> StartAsync(CancellationToken cancellationToken = default)
    {
        var emulator = new AzureCognitiveServicesEmulator();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(emulator.DispatchAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        emulator._app = app;
        return emulator;
    }

    /// <summary>Adds an account with two fresh keys.</summary>
    /// <param name="subscriptionId">Its subscription.</param>
    /// <param name="resourceGroup">Its resource group.</param>
    /// <param name="accountName">Its name.</param>
    public void AddAccount(string subscriptionId, string resourceGroup, string accountName)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        ArgumentException.ThrowIfNullOrEmpty(resourceGroup);
        ArgumentException.ThrowIfNullOrEmpty(accountName);
        lock (_gate)
        {
            var account = new Account(accountName) { Key1 = NewKey(), Key2 = NewKey() };
            _issuedKeys.Add(account.Key1);
            _issuedKeys.Add(account.Key2);
            _accounts[AccountPath(subscriptionId, resourceGroup, accountName)] = account;
        }
    }

    /// <summary>Tells whether the data plane accepts a value now: a slot of some account holds it and it is not refused.</summary>
    /// <param name="key">The value.</param>
    /// <returns><see langword="true"/> when accepted.</returns>
    public bool IsValid(string key)
    {
        lock (_gate)
        {
            return _accounts.Values.Any(a => Accepts(a, key));
        }
    }

    /// <summary>Makes the next regenerateKey change the slot and then answer 500 <c>InternalServerError</c>: ARM acted, the caller cannot know.</summary>
    public void FailNextRegenerateAfterActing()
    {
        lock (_gate)
        {
            _failNextRegenerateAfterActing = true;
        }
    }

    /// <summary>Gets the data-plane address of an account, to pass as the adapter's endpoint; it ends in <c>/</c>.</summary>
    /// <param name="accountName">The account's name.</param>
    /// <returns>The address.</returns>
    public Uri DataPlaneAddress(string accountName) => new(BaseAddress, DataPlanePrefix.TrimStart('/') + Uri.EscapeDataString(accountName) + "/");

    /// <summary>Gets the key a slot of an account holds now.</summary>
    /// <param name="subscriptionId">The account's subscription.</param>
    /// <param name="resourceGroup">Its resource group.</param>
    /// <param name="accountName">Its name.</param>
    /// <param name="slot"><c>Key1</c> or <c>Key2</c>.</param>
    /// <returns>The key.</returns>
    public string GetKey(string subscriptionId, string resourceGroup, string accountName, string slot)
    {
        lock (_gate)
        {
            var account = _accounts[AccountPath(subscriptionId, resourceGroup, accountName)];
            return string.Equals(slot, "Key1", StringComparison.OrdinalIgnoreCase) ? account.Key1 : account.Key2;
        }
    }

    /// <summary>
    /// Creates a handler that sends requests for <c>https://management.azure.com/</c> and for accounts' data planes
    /// (<c>https://{account}.openai.azure.com/</c>, <c>https://{account}.cognitiveservices.azure.com/</c>) to this
    /// emulator, for clients whose addresses are fixed; other hosts are refused. Operation URLs then name
    /// <c>management.azure.com</c> too.
    /// </summary>
    /// <returns>A new handler the caller disposes.</returns>
    public HttpMessageHandler CreateHttpMessageHandler() => new LoopbackRedirectHandler(uri =>
        uri.Host == "management.azure.com" ? new Uri(BaseAddress, uri.PathAndQuery.TrimStart('/'))
        : uri.Host.EndsWith(".openai.azure.com", StringComparison.Ordinal) || uri.Host.EndsWith(".cognitiveservices.azure.com", StringComparison.Ordinal) ? new Uri(DataPlaneAddress(uri.Host[..uri.Host.IndexOf('.', StringComparison.Ordinal)]), uri.PathAndQuery.TrimStart('/'))
        : null);

    /// <summary>Stops the server.</summary>
    /// <returns>A task that completes when the server stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string AccountPath(string subscriptionId, string resourceGroup, string accountName)
        => $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.CognitiveServices/accounts/{accountName}";

    private static string NewKey() => RandomNumberGenerator.GetHexString(32, lowercase: true);

    private static JsonObject ArmError(string code, string message) => new() { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };

    private static JsonObject Keys(Account account) => new() { ["key1"] = account.Key1, ["key2"] = account.Key2 };

    private static Task WriteAsync(HttpContext context, int status, JsonNode? body)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        if (body is null)
        {
            return Task.CompletedTask;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private async Task DispatchAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        lock (_gate)
        {
            _requests.Add($"{context.Request.Method} {path}");
        }

        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        var (status, answer) = path.StartsWith(DataPlanePrefix, StringComparison.Ordinal) ? DataPlane(context, path[DataPlanePrefix.Length..]) : Arm(context, path, body);
        await WriteAsync(context, status, answer).ConfigureAwait(false);
    }

    private (int Status, JsonNode? Body) Arm(HttpContext context, string path, string body)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer authorization_uri=\"https://login.windows.net/\", error=\"invalid_token\", error_description=\"The authentication failed because of missing 'Authorization' header.\"";
            return (401, ArmError("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."));
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization["Bearer ".Length..].Trim()), Encoding.UTF8.GetBytes(ArmToken)))
        {
            return (401, ArmError("InvalidAuthenticationToken", "The access token is invalid."));
        }

        var apiVersion = context.Request.Query["api-version"].ToString();
        if (apiVersion.Length == 0)
        {
            return (400, ArmError("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests."));
        }

        lock (_gate)
        {
            if (!ApiVersions.Contains(apiVersion))
            {
                return (400, ArmError("InvalidApiVersionParameter", $"The api-version '{apiVersion}' is invalid. The supported versions are '{string.Join(",", ApiVersions.Order(StringComparer.Ordinal))}'."));
            }

            var operationMarker = path.Contains("/operationStatuses/", StringComparison.Ordinal) ? "/operationStatuses/" : path.Contains("/operationResults/", StringComparison.Ordinal) ? "/operationResults/" : null;
            if (HttpMethods.IsGet(context.Request.Method) && operationMarker is not null)
            {
                return Poll(path[(path.LastIndexOf('/') + 1)..], operationMarker == "/operationResults/");
            }

            if (!HttpMethods.IsPost(context.Request.Method) || path.LastIndexOf('/') is var slash && slash < 0)
            {
                return (404, ArmError("NotFound", "The requested resource was not found."));
            }

            var accountPath = path[..slash];
            var action = path[(slash + 1)..];
            if (!_accounts.TryGetValue(accountPath, out var account))
            {
                return (404, ArmError("ResourceNotFound", $"The Resource 'Microsoft.CognitiveServices/accounts/{accountPath[(accountPath.LastIndexOf('/') + 1)..]}' under resource group was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"));
            }

            return action switch
            {
                "listKeys" => (200, Keys(account)),
                "regenerateKey" => Regenerate(context, account, accountPath, apiVersion, body),
                _ => (404, ArmError("InvalidResourceType", $"The resource type '{action}' could not be found in the namespace 'Microsoft.CognitiveServices' for api version '{apiVersion}'.")),
            };
        }
    }

    private (int Status, JsonNode? Body) Regenerate(HttpContext context, Account account, string accountPath, string apiVersion, string body)
    {
        string? slot = null;
        try
        {
            slot = JsonNode.Parse(body)?["keyName"]?.GetValue<string>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            slot = null;
        }

        if (slot is not ("Key1" or "Key2"))
        {
            return (400, ArmError("InvalidRequestContent", "The request content was invalid and could not be deserialized: 'keyName' must be 'Key1' or 'Key2'."));
        }

        if (_failNextRegenerateAfterActing)
        {
            _failNextRegenerateAfterActing = false;
            Apply(account, slot);
            return (500, ArmError("InternalServerError", "An internal server error occurred."));
        }

        if (!AsynchronousRegenerate)
        {
            Apply(account, slot);
            return (200, Keys(account));
        }

        var id = Guid.NewGuid().ToString();
        _operations[id] = new Operation(account, slot) { Remaining = PollsBeforeCompletion };
        var subscription = accountPath.Split('/')[2];
        var location = $"subscriptions/{subscription}/providers/Microsoft.CognitiveServices/locations/eastus";
        var origin = context.Request.Host.Host == BaseAddress.Host ? BaseAddress : new Uri("https://" + context.Request.Host.Value + "/");
        context.Response.Headers["Azure-AsyncOperation"] = new Uri(origin, $"{location}/operationStatuses/{id}?api-version={apiVersion}").ToString();
        context.Response.Headers.Location = new Uri(origin, $"{location}/operationResults/{id}?api-version={apiVersion}").ToString();
        context.Response.Headers.RetryAfter = "0";
        return (202, null);
    }

    private (int Status, JsonNode? Body) Poll(string id, bool location)
    {
        if (!_operations.TryGetValue(id, out var operation))
        {
            return (404, ArmError("OperationNotFound", $"The operation '{id}' could not be found."));
        }

        if (!operation.Done && operation.Remaining-- <= 0)
        {
            Apply(operation.Account, operation.Slot);
            operation.Done = true;
        }

        if (location)
        {
            return operation.Done ? (200, Keys(operation.Account)) : (202, null);
        }

        return (200, new JsonObject { ["id"] = id, ["name"] = id, ["status"] = operation.Done ? "Succeeded" : "InProgress" });
    }

    private void Apply(Account account, string slot)
    {
        var value = NewKey();
        if (slot == "Key1")
        {
            account.Key1 = value;
        }
        else
        {
            account.Key2 = value;
        }

        if (_newKeysRefusedByDataPlane)
        {
            account.Refused.Add(value);
        }

        _issuedKeys.Add(value);
        _regenerations.Add(new AzureKeyRegeneration(account.Name, slot, value));
    }

    private static bool Accepts(Account account, string key)
        => key.Length > 0 && (Same(key, account.Key1) || Same(key, account.Key2)) && !account.Refused.Contains(key);

    private (int Status, JsonNode? Body) DataPlane(HttpContext context, string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var accountName = slash < 0 ? path : path[..slash];
        var rest = slash < 0 ? string.Empty : path[(slash + 1)..];
        var key = context.Request.Headers["api-key"].ToString();
        lock (_gate)
        {
            var account = _accounts.Values.FirstOrDefault(a => string.Equals(a.Name, accountName, StringComparison.OrdinalIgnoreCase));
            var valid = account is not null && Accepts(account, key);
            if (!valid)
            {
                return (401, ArmError("401", "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."));
            }
        }

        return (context.Request.Method, rest) switch
        {
            ("GET", "openai/v1/models") => (200, JsonNode.Parse("""{"object":"list","data":[{"id":"gpt-4o","object":"model"}]}""")),
            ("POST", "openai/v1/chat/completions") => (200, JsonNode.Parse("""{"id":"chatcmpl-emulator","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the IronCage emulator."},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":7,"total_tokens":10}}""")),
            _ => (404, ArmError("404", "Resource not found")),
        };
    }

    private static bool Same(string a, string b) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private sealed class Account(string name)
    {
        public string Name { get; } = name;

        public required string Key1 { get; set; }

        public required string Key2 { get; set; }

        public HashSet<string> Refused { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Operation(Account account, string slot)
    {
        public Account Account { get; } = account;

        public string Slot { get; } = slot;

        public int Remaining { get; set; }

        public bool Done { get; set; }
    }
}
