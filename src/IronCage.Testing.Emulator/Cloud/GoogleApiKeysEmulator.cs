using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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
/// Google's API Keys API v2 for one project and the Gemini API that accepts its keys, on a loopback Kestrel server. The
/// API Keys API is at <see cref="BaseAddress"/> (playing <c>https://apikeys.googleapis.com/</c>): <c>v2/{parent}/keys</c>
/// create (<c>?keyId=</c>) and list (<c>pageSize</c>, <c>pageToken</c>, <c>showDeleted</c>), <c>v2/{key}</c> get and
/// delete (soft: <c>deleteTime</c> set, the key string refused, undeletable for 30 days), <c>v2/{key}/keyString</c>,
/// <c>v2/{key}:undelete</c>; every mutation is a long-running operation polled with <c>GET v2/operations/*</c>. Requests
/// need <c>Authorization: Bearer </c><see cref="AccessToken"/>; errors are <c>google.rpc.Status</c> bodies. Gemini
/// (<see cref="GeminiBaseAddress"/>, playing <c>https://generativelanguage.googleapis.com/</c>) answers
/// <c>GET v1beta/models</c> and <c>POST v1beta/models/{m}:generateContent</c> for an <c>x-goog-api-key</c> holding a live
/// (not deleted) key's string and 400 <c>API_KEY_INVALID</c> otherwise.
/// </summary>
public sealed partial class GoogleApiKeysEmulator : IAsyncDisposable
{
    private const string ApiPrefix = "/v2/";
    private const string GeminiPrefix = "/gemini/";
    private const string KeyType = "type.googleapis.com/google.api.apikeys.v2.Key";
    private readonly object _gate = new();
    private readonly Dictionary<string, Key> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private readonly List<string> _requests = [];
    private readonly List<string?> _createRequests = [];
    private readonly List<string> _issuedKeyStrings = [];
    private readonly TimeProvider _time;
    private WebApplication? _app;
    private int _sequence;
    private JsonObject? _failNextCreate;
    private bool _failNextCreateAfterActing;
    private bool _newKeysRefusedByGemini;

    private GoogleApiKeysEmulator(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Gets the project number (<c>123456789</c>).</summary>
    public string ProjectNumber { get; } = "123456789";

    /// <summary>Gets the keys' parent, <c>projects/{number}/locations/global</c>.</summary>
    public string Parent => $"projects/{ProjectNumber}/locations/global";

    /// <summary>Gets the OAuth access token requests must carry.</summary>
    public string AccessToken { get; } = "ya29.emulator-" + RandomNumberGenerator.GetHexString(24, lowercase: true);

    /// <summary>Gets the API Keys API's address, playing <c>https://apikeys.googleapis.com/</c>; it ends in <c>/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets the Gemini API's address, playing <c>https://generativelanguage.googleapis.com/</c>; it ends in <c>/</c>.</summary>
    public Uri GeminiBaseAddress { get; private set; } = null!;

    /// <summary>Gets or sets how many keys one list page holds at most.</summary>
    /// <value>The default value is 300.</value>
    public int MaxPageSize { get; set; } = 300;

    /// <summary>Gets or sets how many polls an operation answers <c>done: false</c> before it completes.</summary>
    /// <value>The default value is 1.</value>
    public int PendingPolls { get; set; } = 1;

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

    /// <summary>Gets the <c>keyId</c> of every create request, oldest first (refused ones included; <see langword="null"/> when none was given).</summary>
    public IReadOnlyList<string?> CreateRequests
    {
        get
        {
            lock (_gate)
            {
                return [.. _createRequests];
            }
        }
    }

    /// <summary>Gets every key string the emulator ever issued (seeded, created, deleted ones included), for leak checks.</summary>
    public IReadOnlyList<string> IssuedKeyStrings
    {
        get
        {
            lock (_gate)
            {
                return [.. _issuedKeyStrings];
            }
        }
    }

    /// <summary>Gets every key of the project, deleted ones included, in name order.</summary>
    public IReadOnlyList<GoogleApiKey> Keys
    {
        get
        {
            lock (_gate)
            {
                return [.. _keys.Values.OrderBy(k => k.Name, StringComparer.Ordinal).Select(Snapshot)];
            }
        }
    }

    /// <summary>Gets or sets a value indicating whether keys created from now on are refused by Gemini (400 <c>API_KEY_INVALID</c>) although the API Keys API holds them: a new key that fails verification.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool NewKeysRefusedByGemini
    {
        get
        {
            lock (_gate)
            {
                return _newKeysRefusedByGemini;
            }
        }

        set
        {
            lock (_gate)
            {
                _newKeysRefusedByGemini = value;
            }
        }
    }

    /// <summary>Starts an emulator on 127.0.0.1 with a port the system picks.</summary>
    /// <param name="time">The time keys are stamped with and undelete windows are checked against; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop it.</returns>
    public static async Task<GoogleApiKeysEmulator> StartAsync(TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var emulator = new GoogleApiKeysEmulator(time ?? TimeProvider.System);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(emulator.DispatchAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        emulator.GeminiBaseAddress = new Uri(emulator.BaseAddress, GeminiPrefix.TrimStart('/'));
        emulator._app = app;
        return emulator;
    }

    /// <summary>Puts a key in the project directly (as the console would), restricted to the Gemini API.</summary>
    /// <param name="keyId">The key id (the last segment of its name).</param>
    /// <param name="displayName">Its display name.</param>
    /// <param name="allowedIps">Server IP ranges the key is restricted to (<c>serverKeyRestrictions.allowedIps</c>), if any.</param>
    /// <returns>The key's string, to register as the key in use.</returns>
    public string Seed(string keyId, string? displayName = null, IReadOnlyList<string>? allowedIps = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        lock (_gate)
        {
            var restrictions = new JsonObject();
            if (allowedIps is { Count: > 0 })
            {
                restrictions["serverKeyRestrictions"] = new JsonObject { ["allowedIps"] = new JsonArray([.. allowedIps.Select(ip => (JsonNode)ip)]) };
            }

            restrictions["apiTargets"] = new JsonArray(new JsonObject { ["service"] = "generativelanguage.googleapis.com" });
            var key = NewKey(keyId, displayName, restrictions, new JsonObject());
            _keys[key.Name] = key;
            return key.KeyString;
        }
    }

    /// <summary>Gets whether a key exists and when it was soft-deleted.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="deleteTime">When it was deleted, or <see langword="null"/> while it is live.</param>
    /// <returns><see langword="true"/> if the project holds the key (deleted or not).</returns>
    public bool TryGetKey(string keyId, out DateTimeOffset? deleteTime)
    {
        lock (_gate)
        {
            var found = _keys.TryGetValue($"{Parent}/keys/{keyId}", out var key);
            deleteTime = key?.DeleteTime;
            return found;
        }
    }

    /// <summary>Reads a key of the project, deleted or not.</summary>
    /// <param name="keyId">The key id.</param>
    /// <returns>The key, or <see langword="null"/> when the project never held it.</returns>
    public GoogleApiKey? Find(string keyId)
    {
        lock (_gate)
        {
            return _keys.TryGetValue($"{Parent}/keys/{keyId}", out var key) ? Snapshot(key) : null;
        }
    }

    /// <summary>Makes the next create start an operation that finishes with <paramref name="statusJson"/> (a <c>google.rpc.Status</c> object such as <c>{"code":7,"message":"…","status":"PERMISSION_DENIED"}</c>) instead of creating a key.</summary>
    /// <param name="statusJson">The operation's <c>error</c>.</param>
    public void FailNextCreate(string statusJson)
    {
        var status = JsonNode.Parse(statusJson) as JsonObject ?? throw new ArgumentException("A google.rpc.Status JSON object is expected.", nameof(statusJson));
        lock (_gate)
        {
            _failNextCreate = status;
        }
    }

    /// <summary>Makes the next create make the key at once and then answer 500 <c>INTERNAL</c>: Google acted, the caller cannot know (the ambiguous create).</summary>
    public void FailNextCreateAfterActing()
    {
        lock (_gate)
        {
            _failNextCreateAfterActing = true;
        }
    }

    /// <summary>
    /// Creates a handler that sends requests for <c>https://apikeys.googleapis.com/</c> and
    /// <c>https://generativelanguage.googleapis.com/</c> to this emulator, for clients whose addresses are fixed; other
    /// hosts are refused.
    /// </summary>
    /// <returns>A new handler the caller disposes.</returns>
    public HttpMessageHandler CreateHttpMessageHandler() => new LoopbackRedirectHandler(uri => uri.Host switch
    {
        "apikeys.googleapis.com" => new Uri(BaseAddress, uri.PathAndQuery.TrimStart('/')),
        "generativelanguage.googleapis.com" => new Uri(GeminiBaseAddress, uri.PathAndQuery.TrimStart('/')),
        _ => null,
    });

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

    [GeneratedRegex("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex KeyIdPattern();

    private static (int, JsonNode) Status(int status, string code, string message, string? reason = null, string service = "apikeys.googleapis.com")
    {
        var error = new JsonObject { ["code"] = status, ["message"] = message, ["status"] = code };
        if (reason is not null)
        {
            error["details"] = new JsonArray(new JsonObject { ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo", ["reason"] = reason, ["domain"] = "googleapis.com", ["metadata"] = new JsonObject { ["service"] = service } });
        }

        return (status, new JsonObject { ["error"] = error });
    }

    private static (int, JsonNode) NotFound(string name) => Status(404, "NOT_FOUND", $"Key {name} not found.");

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Describe(Key key)
    {
        var json = new JsonObject
        {
            ["name"] = key.Name,
            ["uid"] = key.Uid,
            ["displayName"] = key.DisplayName,
            ["createTime"] = Time(key.CreateTime),
            ["updateTime"] = Time(key.UpdateTime),
            ["annotations"] = key.Annotations.DeepClone(),
            ["restrictions"] = key.Restrictions.DeepClone(),
            ["etag"] = key.Etag,
        };
        if (key.DeleteTime is { } deleted)
        {
            json["deleteTime"] = Time(deleted);
        }

        return json;
    }

    private static JsonObject Done(Key key)
    {
        var response = new JsonObject { ["@type"] = KeyType };
        foreach (var (property, value) in Describe(key))
        {
            response[property] = value?.DeepClone();
        }

        return new JsonObject { ["response"] = response };
    }

    private async Task DispatchAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        (int Status, JsonNode Body) answer;
        lock (_gate)
        {
            _requests.Add($"{context.Request.Method} {path}");
            answer = path.StartsWith(GeminiPrefix, StringComparison.Ordinal) ? Gemini(context, path[GeminiPrefix.Length..]) : Api(context, path, body);
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(answer.Body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private (int, JsonNode) Api(HttpContext context, string path, string body)
    {
        if (!path.StartsWith(ApiPrefix, StringComparison.Ordinal))
        {
            return Status(404, "NOT_FOUND", "No such route.");
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization["Bearer ".Length..].Trim()), Encoding.UTF8.GetBytes(AccessToken)))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"";
            return Status(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.", "ACCESS_TOKEN_TYPE_UNSUPPORTED");
        }

        var resource = Uri.UnescapeDataString(path[ApiPrefix.Length..]);
        var query = context.Request.Query;
        var method = context.Request.Method;
        if (HttpMethods.IsPost(method) && resource == Parent + "/keys")
        {
            return Create(query["keyId"].ToString() is { Length: > 0 } id ? id : null, body);
        }

        if (HttpMethods.IsGet(method) && resource == Parent + "/keys")
        {
            return List(query);
        }

        if (HttpMethods.IsGet(method) && resource.StartsWith("operations/", StringComparison.Ordinal))
        {
            return Poll(resource);
        }

        if (HttpMethods.IsGet(method) && resource.EndsWith("/keyString", StringComparison.Ordinal))
        {
            return _keys.TryGetValue(resource[..^"/keyString".Length], out var withString) ? (200, new JsonObject { ["keyString"] = withString.KeyString }) : NotFound(resource);
        }

        if (HttpMethods.IsPost(method) && resource.EndsWith(":undelete", StringComparison.Ordinal))
        {
            return Undelete(resource[..^":undelete".Length]);
        }

        if (!resource.StartsWith(Parent + "/keys/", StringComparison.Ordinal))
        {
            return Status(403, "PERMISSION_DENIED", $"Permission denied on resource {resource} (or it may not exist).", "IAM_PERMISSION_DENIED");
        }

        if (HttpMethods.IsGet(method))
        {
            return _keys.TryGetValue(resource, out var key) ? (200, Describe(key)) : NotFound(resource);
        }

        return HttpMethods.IsDelete(method) ? Delete(resource, query["etag"].ToString() is { Length: > 0 } etag ? etag : null) : Status(404, "NOT_FOUND", "No such route.");
    }

    private Key NewKey(string keyId, string? displayName, JsonObject restrictions, JsonObject annotations)
    {
        var keyString = "AIza" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(27)).Replace('+', '-').Replace('/', '_')[..35];
        var now = _time.GetUtcNow();
        _issuedKeyStrings.Add(keyString);
        return new Key($"{Parent}/keys/{keyId}", Guid.NewGuid().ToString(), displayName, keyString, now, now, null, NewEtag(), annotations, restrictions) { RefusedByGemini = _newKeysRefusedByGemini };
    }

    private string NewEtag() => $"W/\"{++_sequence:x8}\"";

    private (int, JsonNode) StartOperation(Func<JsonObject> complete)
    {
        var operation = new Operation($"operations/akmf.p7-{ProjectNumber}-{Guid.NewGuid():N}", PendingPolls, complete);
        _operations[operation.Name] = operation;
        return (200, operation.Render());
    }

    private (int, JsonNode) Create(string? keyId, string body)
    {
        _createRequests.Add(keyId);
        keyId ??= "k" + Guid.NewGuid().ToString("N")[..20];
        if (!KeyIdPattern().IsMatch(keyId))
        {
            return Status(400, "INVALID_ARGUMENT", $"Invalid key id '{keyId}': it must match [a-z]([a-z0-9-]{{0,61}}[a-z0-9])?.", "INVALID_KEY_ID");
        }

        if (_keys.ContainsKey($"{Parent}/keys/{keyId}"))
        {
            return Status(409, "ALREADY_EXISTS", $"Key {keyId} already exists.");
        }

        JsonObject requested;
        try
        {
            requested = JsonNode.Parse(body.Length == 0 ? "{}" : body) as JsonObject ?? new JsonObject();
        }
        catch (System.Text.Json.JsonException)
        {
            return Status(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
        }

        var displayName = requested["displayName"]?.GetValue<string>();
        if (displayName is { Length: > 63 })
        {
            return Status(400, "INVALID_ARGUMENT", "displayName is longer than 63 characters.");
        }

        if (_failNextCreate is { } failure)
        {
            _failNextCreate = null;
            return StartOperation(() => new JsonObject { ["error"] = failure.DeepClone() });
        }

        var key = NewKey(keyId, displayName, requested["restrictions"]?.DeepClone() as JsonObject ?? new JsonObject(), requested["annotations"]?.DeepClone() as JsonObject ?? new JsonObject());
        if (_failNextCreateAfterActing)
        {
            _failNextCreateAfterActing = false;
            _keys[key.Name] = key;
            return Status(500, "INTERNAL", "Internal error encountered.");
        }

        return StartOperation(() =>
        {
            _keys[key.Name] = key;
            return Done(key);
        });
    }

    private (int, JsonNode) List(IQueryCollection query)
    {
        var showDeleted = query["showDeleted"].ToString() == "true";
        var size = MaxPageSize;
        if (query["pageSize"].ToString() is { Length: > 0 } asked && (!int.TryParse(asked, CultureInfo.InvariantCulture, out size) || size < 0))
        {
            return Status(400, "INVALID_ARGUMENT", "pageSize must be a non-negative integer.");
        }

        size = size == 0 ? MaxPageSize : Math.Min(size, MaxPageSize);
        var start = 0;
        if (query["pageToken"].ToString() is { Length: > 0 } token)
        {
            try
            {
                start = int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                return Status(400, "INVALID_ARGUMENT", "Invalid page token.");
            }
        }

        var visible = _keys.Values.Where(k => showDeleted || k.DeleteTime is null).OrderBy(k => k.Name, StringComparer.Ordinal).ToList();
        var page = visible.Skip(start).Take(size).ToList();
        var body = new JsonObject { ["keys"] = new JsonArray([.. page.Select(Describe)]) };
        if (start + page.Count < visible.Count)
        {
            body["nextPageToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((start + page.Count).ToString(CultureInfo.InvariantCulture)));
        }

        return (200, body);
    }

    private (int, JsonNode) Delete(string name, string? etag)
    {
        if (!_keys.TryGetValue(name, out var key))
        {
            return NotFound(name);
        }

        if (etag is not null && etag != key.Etag)
        {
            return Status(409, "ABORTED", "The etag does not match the key's current etag.");
        }

        if (key.DeleteTime is not null)
        {
            return Status(400, "FAILED_PRECONDITION", $"Key {name} is already deleted.");
        }

        return StartOperation(() =>
        {
            var now = _time.GetUtcNow();
            var deleted = _keys[name] = key with { DeleteTime = now, UpdateTime = now, Etag = NewEtag() };
            return Done(deleted);
        });
    }

    private (int, JsonNode) Undelete(string name)
    {
        if (!_keys.TryGetValue(name, out var key))
        {
            return NotFound(name);
        }

        if (key.DeleteTime is not { } deleted || _time.GetUtcNow() - deleted > TimeSpan.FromDays(30))
        {
            return Status(400, "FAILED_PRECONDITION", $"Key {name} is not deleted or can no longer be undeleted.");
        }

        return StartOperation(() =>
        {
            var restored = _keys[name] = key with { DeleteTime = null, UpdateTime = _time.GetUtcNow(), Etag = NewEtag() };
            return Done(restored);
        });
    }

    private (int, JsonNode) Poll(string name)
    {
        if (!_operations.TryGetValue(name, out var operation))
        {
            return Status(404, "NOT_FOUND", $"Operation {name} not found.");
        }

        operation.Advance();
        return (200, operation.Render());
    }

    private (int, JsonNode) Gemini(HttpContext context, string path)
    {
        var known = (HttpMethods.IsGet(context.Request.Method) && path == "v1beta/models")
            || (HttpMethods.IsPost(context.Request.Method) && path.StartsWith("v1beta/models/", StringComparison.Ordinal) && path.EndsWith(":generateContent", StringComparison.Ordinal));
        if (!known)
        {
            return Status(404, "NOT_FOUND", "Method not found.");
        }

        var keyString = context.Request.Headers["x-goog-api-key"].ToString();
        var live = keyString.Length > 0 && _keys.Values.Any(k => k.DeleteTime is null && !k.RefusedByGemini && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(k.KeyString), Encoding.UTF8.GetBytes(keyString)));
        if (!live)
        {
            return Status(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", "API_KEY_INVALID", "generativelanguage.googleapis.com");
        }

        return path == "v1beta/models"
            ? (200, JsonNode.Parse("""{"models":[{"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash","supportedGenerationMethods":["generateContent","countTokens"]}]}""")!)
            : (200, JsonNode.Parse("""{"candidates":[{"content":{"role":"model","parts":[{"text":"Hello from the IronCage emulator."}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":7,"totalTokenCount":10}}""")!);
    }

    private static GoogleApiKey Snapshot(Key key)
        => new(key.Name, key.DisplayName, key.KeyString, key.CreateTime, key.DeleteTime, key.Restrictions.ToJsonString(), key.Annotations.Where(a => a.Value?.GetValueKind() == System.Text.Json.JsonValueKind.String).ToDictionary(a => a.Key, a => a.Value!.GetValue<string>(), StringComparer.Ordinal));

    private sealed record Key(string Name, string Uid, string? DisplayName, string KeyString, DateTimeOffset CreateTime, DateTimeOffset UpdateTime, DateTimeOffset? DeleteTime, string Etag, JsonObject Annotations, JsonObject Restrictions)
    {
        public bool RefusedByGemini { get; init; }
    }

    private sealed class Operation(string name, int pending, Func<JsonObject> complete)
    {
        private int _pending = pending;
        private JsonObject? _outcome = pending <= 0 ? complete() : null;

        public string Name { get; } = name;

        public void Advance()
        {
            if (_outcome is null && --_pending <= 0)
            {
                _outcome = complete();
            }
        }

        public JsonObject Render()
        {
            var json = new JsonObject { ["name"] = Name, ["metadata"] = new JsonObject { ["@type"] = "type.googleapis.com/google.protobuf.Empty" }, ["done"] = _outcome is not null };
            if (_outcome is not null)
            {
                foreach (var (property, value) in _outcome)
                {
                    json[property] = value?.DeepClone();
                }
            }

            return json;
        }
    }
}
