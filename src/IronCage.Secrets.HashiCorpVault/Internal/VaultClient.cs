using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace IronCage.Secrets.HashiCorpVault;

/// <summary>One KV v2 secret as read: its data (values may be any JSON) and its version.</summary>
internal sealed record VaultSecret(JsonObject Data, int Version);

/// <summary>
/// Vault's HTTP API for KV version 2 (<c>GET/POST /v1/{mount}/data/{path}</c> with <c>options.cas</c>,
/// <c>LIST /v1/{mount}/metadata/{folder}</c>) and AppRole login (<c>POST /v1/auth/{mount}/login</c>), with
/// <c>X-Vault-Token</c> and <c>X-Vault-Namespace</c>. An AppRole token is cached and renewed by logging in again when
/// Vault stops accepting it.
/// </summary>
internal sealed class VaultClient
{
    private readonly HttpClient _http;
    private readonly HashiCorpVaultOptions _options;
    private readonly ILogger _logger;
    private string? _token;

    public VaultClient(HttpClient http, HashiCorpVaultOptions options, ILogger logger)
    {
        _http = http;
        _options = options;
        _logger = logger;
        _token = options.Token;
        Store = $"HashiCorp Vault {options.Address}";
    }

    public string Store { get; }

    public async Task<VaultSecret?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(HttpMethod.Get, $"v1/{_options.Mount}/data/{path}", null, path, "read", cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return null;
        }

        // A soft-deleted (or destroyed) latest version answers 404 with data.data null and data.metadata naming the version:
        // a check-and-set write must send that version, not 0.
        var data = document.RootElement.GetProperty("data");
        var values = data.TryGetProperty("data", out var stored) && stored.ValueKind == JsonValueKind.Object ? JsonNode.Parse(stored.GetRawText()) as JsonObject ?? [] : [];
        return new VaultSecret(values, data.GetProperty("metadata").GetProperty("version").GetInt32());
    }

    /// <summary>Writes with check-and-set; returns the new version, or <see langword="null"/> when <paramref name="cas"/> no longer matches.</summary>
    public async Task<int?> WriteAsync(string path, JsonObject data, int cas, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["options"] = new JsonObject { ["cas"] = cas }, ["data"] = data };
        try
        {
            using var document = await SendAsync(HttpMethod.Post, $"v1/{_options.Mount}/data/{path}", body.ToJsonString(), path, "create, update", cancellationToken).ConfigureAwait(false);
            return document!.RootElement.GetProperty("data").GetProperty("version").GetInt32();
        }
        catch (SecretStoreException conflict) when (conflict.Kind == SecretStoreErrorKind.Conflict)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string folder, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(new HttpMethod("LIST"), $"v1/{_options.Mount}/metadata/{folder.Trim('/')}", null, folder, "list", cancellationToken).ConfigureAwait(false);
        return document is null ? [] : [.. document.RootElement.GetProperty("data").GetProperty("keys").EnumerateArray().Select(k => k.GetString() ?? string.Empty)];
    }

    private async Task<JsonDocument?> SendAsync(HttpMethod method, string relative, string? body, string path, string capability, CancellationToken cancellationToken)
    {
        var mayLogInAgain = _options.Token is null && _token is not null;
        while (true)
        {
            var token = _token ?? await LoginAsync(cancellationToken).ConfigureAwait(false);
            using var response = await RawAsync(method, relative, body, token, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return text.Length == 0 ? null : JsonDocument.Parse(text);
            }

            var errors = Errors(text);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                // KV v2 answers a missing secret with 404 and an empty "errors" list (or, for a deleted latest version,
                // the envelope with data.metadata); a missing mount or a KV version 1 mount says "no handler for route".
                if (errors.Length == 0)
                {
                    return Deleted(text);
                }

                throw new SecretStoreException(Store, SecretStoreErrorKind.NotFound, $"{Store}: {method} {_options.Mount}/…/{path} failed with 404: {errors}. Check that Mount names a KV version 2 secrets engine (vault secrets list -detailed) and that the token's namespace is the mount's.") { StatusCode = 404, ErrorCode = errors };
            }

            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                if (!await TokenIsValidAsync(token, cancellationToken).ConfigureAwait(false))
                {
                    if (mayLogInAgain)
                    {
                        // The cached AppRole token expired: log in again once.
                        mayLogInAgain = false;
                        _token = null;
                        continue;
                    }

                    throw new SecretStoreException(Store, SecretStoreErrorKind.Unauthenticated, $"{Store}: Vault does not accept the token ({(_options.Token is null ? "from AppRole login" : "Token")}) for {path}. Check Token, or RoleId and SecretId, and that the token has not expired or been revoked.") { StatusCode = 403 };
                }

                throw new SecretStoreException(Store, SecretStoreErrorKind.Forbidden, $"{Store}: permission denied on {_options.Mount}/data/{path}. Grant the token's policy the capabilities [\"{capability.Replace(", ", "\", \"", StringComparison.Ordinal)}\"] on path \"{_options.Mount}/data/{path}\" (and \"read\" for the target's idempotency check).") { StatusCode = 403, ErrorCode = "permission denied" };
            }

            var kind = errors.Contains("check-and-set", StringComparison.Ordinal) ? SecretStoreErrorKind.Conflict
                : response.StatusCode == HttpStatusCode.TooManyRequests ? SecretStoreErrorKind.Throttled
                : (int)response.StatusCode >= 500 ? SecretStoreErrorKind.Transient
                : SecretStoreErrorKind.Unknown;
            throw new SecretStoreException(Store, kind, $"{Store}: {method} {_options.Mount}/…/{path} failed with {(int)response.StatusCode}: {errors}. " + (kind == SecretStoreErrorKind.Transient ? "Vault may be sealed or on standby: check vault status." : "Check the mount (KV version 2) and the path.")) { StatusCode = (int)response.StatusCode, ErrorCode = errors };
        }
    }

    private async Task<bool> TokenIsValidAsync(string token, CancellationToken cancellationToken)
    {
        using var response = await RawAsync(HttpMethod.Get, "v1/auth/token/lookup-self", null, token, cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    private async Task<string> LoginAsync(CancellationToken cancellationToken)
    {
        // Two calls that log in at once get two tokens; both are valid, so no lock is held across the request.
        var body = new JsonObject { ["role_id"] = _options.RoleId, ["secret_id"] = _options.SecretId }.ToJsonString();
        using var response = await RawAsync(HttpMethod.Post, $"v1/auth/{_options.AppRoleMount}/login", body, null, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var kind = (int)response.StatusCode >= 500 ? SecretStoreErrorKind.Transient : SecretStoreErrorKind.Unauthenticated;
            throw new SecretStoreException(Store, kind, $"{Store}: AppRole login at auth/{_options.AppRoleMount} failed with {(int)response.StatusCode}: {Errors(text)}. Check RoleId and SecretId (a secret id may have expired or reached its use limit: issue a new one with vault write -f auth/{_options.AppRoleMount}/role/<role>/secret-id).") { StatusCode = (int)response.StatusCode };
        }

        using var document = JsonDocument.Parse(text);
        _token = document.RootElement.GetProperty("auth").GetProperty("client_token").GetString();
        Log.LoggedIn(_logger, _options.AppRoleMount);
        return _token!;
    }

    private async Task<HttpResponseMessage> RawAsync(HttpMethod method, string relative, string? body, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_options.Address!, relative));
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Vault-Token", token);
        }

        if (_options.Namespace is { Length: > 0 } ns)
        {
            request.Headers.TryAddWithoutValidation("X-Vault-Namespace", ns);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        try
        {
            return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            throw new SecretStoreException(Store, SecretStoreErrorKind.Transient, $"{Store}: could not reach Vault ({exception.HttpRequestError}). Check Address and this host's network path to it.", exception);
        }
    }

    private static JsonDocument? Deleted(byte[] body)
    {
        try
        {
            var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("version", out _))
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Errors(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("errors", out var errors) ? string.Join("; ", errors.EnumerateArray().Select(e => e.GetString())) : string.Empty;
        }
        catch (JsonException)
        {
            return string.Empty;
        }
    }
}
