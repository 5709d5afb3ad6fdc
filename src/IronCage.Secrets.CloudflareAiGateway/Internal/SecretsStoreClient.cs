using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronCage.Secrets.CloudflareAiGateway;

/// <summary>One Secrets Store secret's metadata (values are write-only: Cloudflare never returns them).</summary>
internal sealed record StoreSecret(string Id, string Name, string? Comment, IReadOnlyList<string> Scopes);

/// <summary>
/// The Cloudflare Secrets Store calls the AI Gateway target needs (<c>/accounts/{account_id}/secrets_store/stores</c>,
/// <c>…/stores/{store_id}/secrets</c> list and create, <c>…/secrets/{secret_id}</c> patch), with a bearer API token and
/// Cloudflare's <c>{"success", "errors", "result"}</c> envelope.
/// </summary>
internal sealed class SecretsStoreClient
{
    private readonly HttpClient _http;
    private readonly CloudflareAiGatewayTargetOptions _options;
    private string? _storeId;

    public SecretsStoreClient(HttpClient http, CloudflareAiGatewayTargetOptions options)
    {
        _http = http;
        _options = options;
        _storeId = options.StoreId;
        Store = $"Cloudflare Secrets Store (account {options.AccountId})";
    }

    public string Store { get; }

    public async Task<StoreSecret?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var store = await StoreIdAsync(cancellationToken).ConfigureAwait(false);
        using var document = await SendAsync(HttpMethod.Get, $"accounts/{_options.AccountId}/secrets_store/stores/{store}/secrets?search={Uri.EscapeDataString(name)}&per_page=100", null, "list secrets", "Secrets Store Read", cancellationToken).ConfigureAwait(false);
        return document.RootElement.GetProperty("result").EnumerateArray().Select(Read).FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
    }

    public async Task<StoreSecret> CreateAsync(string name, string value, string comment, CancellationToken cancellationToken)
    {
        var store = await StoreIdAsync(cancellationToken).ConfigureAwait(false);
        var body = new JsonArray(new JsonObject { ["name"] = name, ["value"] = value, ["scopes"] = new JsonArray(CloudflareAiGatewayConstants.Scope), ["comment"] = comment });
        using var document = await SendAsync(HttpMethod.Post, $"accounts/{_options.AccountId}/secrets_store/stores/{store}/secrets", body, "create secret " + name, "Secrets Store Write", cancellationToken).ConfigureAwait(false);
        return Read(document.RootElement.GetProperty("result")[0]);
    }

    public async Task<StoreSecret> PatchAsync(StoreSecret secret, string value, string comment, CancellationToken cancellationToken)
    {
        var store = await StoreIdAsync(cancellationToken).ConfigureAwait(false);
        var scopes = secret.Scopes.Contains(CloudflareAiGatewayConstants.Scope, StringComparer.Ordinal) ? secret.Scopes : [.. secret.Scopes, CloudflareAiGatewayConstants.Scope];
        var body = new JsonObject { ["value"] = value, ["comment"] = comment, ["scopes"] = new JsonArray([.. scopes.Select(s => (JsonNode?)JsonValue.Create(s))]) };
        using var document = await SendAsync(HttpMethod.Patch, $"accounts/{_options.AccountId}/secrets_store/stores/{store}/secrets/{secret.Id}", body, "patch secret " + secret.Name, "Secrets Store Write", cancellationToken).ConfigureAwait(false);
        return Read(document.RootElement.GetProperty("result"));
    }

    private static StoreSecret Read(JsonElement element) => new(
        element.GetProperty("id").GetString() ?? string.Empty,
        element.GetProperty("name").GetString() ?? string.Empty,
        element.TryGetProperty("comment", out var comment) && comment.ValueKind == JsonValueKind.String ? comment.GetString() : null,
        element.TryGetProperty("scopes", out var scopes) && scopes.ValueKind == JsonValueKind.Array ? [.. scopes.EnumerateArray().Select(s => s.GetString() ?? string.Empty)] : []);

    private static string Errors(JsonDocument? document)
        => document is not null && document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
            ? string.Join("; ", errors.EnumerateArray().Select(e => $"{(e.TryGetProperty("code", out var c) ? c.ToString() : "?")} {(e.TryGetProperty("message", out var m) ? m.GetString() : string.Empty)}"))
            : "no error body";

    private async Task<string> StoreIdAsync(CancellationToken cancellationToken)
    {
        if (_storeId is not null)
        {
            return _storeId;
        }

        using var document = await SendAsync(HttpMethod.Get, $"accounts/{_options.AccountId}/secrets_store/stores", null, "list stores", "Secrets Store Read", cancellationToken).ConfigureAwait(false);
        var stores = document.RootElement.GetProperty("result");
        if (stores.GetArrayLength() == 0)
        {
            throw new SecretStoreException(Store, SecretStoreErrorKind.NotFound, $"{Store}: the account has no Secrets Store. Create one in the dashboard (AI > AI Gateway > Provider keys creates it) or with POST /accounts/{{account_id}}/secrets_store/stores.");
        }

        _storeId = stores[0].GetProperty("id").GetString();
        return _storeId!;
    }

    private async Task<JsonDocument> SendAsync(HttpMethod method, string relative, JsonNode? body, string action, string permission, CancellationToken cancellationToken)
    {
        using var response = await RawAsync(method, relative, body, cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        JsonDocument? document = null;
        try
        {
            document = bytes.Length == 0 ? null : JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            // Not Cloudflare's envelope (a proxy's page): the status decides.
        }

        if (response.IsSuccessStatusCode && document is not null && document.RootElement.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True)
        {
            return document;
        }

        using (document)
        {
            var status = (int)response.StatusCode;
            var errors = Errors(document);
            var kind = status switch
            {
                400 when errors.Contains("9106", StringComparison.Ordinal) => SecretStoreErrorKind.Unauthenticated,
                401 or 403 => await TokenIsValidAsync(cancellationToken).ConfigureAwait(false) ? SecretStoreErrorKind.Forbidden : SecretStoreErrorKind.Unauthenticated,
                404 => SecretStoreErrorKind.NotFound,
                409 => SecretStoreErrorKind.Conflict,
                429 => SecretStoreErrorKind.Throttled,
                >= 500 => SecretStoreErrorKind.Transient,
                _ => SecretStoreErrorKind.Unknown,
            };
            var fix = kind switch
            {
                SecretStoreErrorKind.Unauthenticated => "Cloudflare does not accept the API token: check ApiToken (it may have expired or been rolled) and that it is an API token, not a Global API key.",
                SecretStoreErrorKind.Forbidden => $"The token is valid but lacks a permission: give it '{permission}' (Account > Secrets Store) on account {_options.AccountId}.",
                SecretStoreErrorKind.NotFound => "Check AccountId and StoreId.",
                _ => "Retry later.",
            };
            throw new SecretStoreException(Store, kind, $"{Store}: {action} failed with {status} ({errors}). {fix}") { StatusCode = status, ErrorCode = errors };
        }
    }

    private async Task<bool> TokenIsValidAsync(CancellationToken cancellationToken)
    {
        using var response = await RawAsync(HttpMethod.Get, "user/tokens/verify", null, cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    private async Task<HttpResponseMessage> RawAsync(HttpMethod method, string relative, JsonNode? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_options.BaseAddress, relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiToken);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        try
        {
            return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            throw new SecretStoreException(Store, SecretStoreErrorKind.Transient, $"{Store}: could not reach {_options.BaseAddress.Host} ({exception.HttpRequestError}). Check this host's network path to the Cloudflare API.", exception);
        }
    }
}
