using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Apis.Auth.OAuth2;
using IronCage.Internal;
using IronCage.Providers.Http;
using Microsoft.Extensions.Logging;

namespace IronCage.Providers.GoogleGemini;

/// <summary>An API key as the API Keys API v2 describes it (never with its key string).</summary>
internal sealed record GoogleKey(string Name, string? Uid, string? DisplayName, DateTimeOffset? CreateTime, DateTimeOffset? DeleteTime, string? Etag, IReadOnlyDictionary<string, string> Annotations, JsonNode? Restrictions)
{
    public string KeyId => Name[(Name.LastIndexOf('/') + 1)..];

    public bool IsDeleted => DeleteTime is not null;
}

/// <summary>
/// The API Keys API v2 calls the adapter needs (<c>https://apikeys.googleapis.com/v2/…</c>): create, get, getKeyString,
/// list, delete and undelete, with the long-running operations they return polled until done.
/// </summary>
internal sealed class GoogleApiKeysClient
{
    private readonly HttpClient _http;
    private readonly ProviderHttpCalls _calls;
    private readonly ITokenAccess _token;
    private readonly GoogleGeminiProviderOptions _options;
    private readonly ILogger _logger;

    public GoogleApiKeysClient(HttpClient http, ProviderHttpCalls calls, ITokenAccess token, GoogleGeminiProviderOptions options, ILogger logger)
    {
        _http = http;
        _calls = calls;
        _token = token;
        _options = options;
        _logger = logger;
    }

    public static string Parent(string project) => $"projects/{project}/locations/global";

    /// <summary>Creates a key (<c>POST /v2/{parent}/keys?keyId=</c>) and waits for the operation; returns the key's resource name.</summary>
    public async Task<GoogleKey> CreateKeyAsync(string project, string keyId, JsonObject key, CancellationToken cancellationToken)
    {
        var uri = Uri($"v2/{Parent(project)}/keys?keyId={System.Uri.EscapeDataString(keyId)}");
        var body = System.Text.Encoding.UTF8.GetBytes(key.ToJsonString());
        JsonElement operation;
        using (var response = await SendAsync(HttpMethod.Post, uri, body, "create key", safeToRetry: false, cancellationToken).ConfigureAwait(false))
        {
            operation = Parse(response.Body);
        }

        var done = await WaitAsync(operation, $"create key {keyId}", cancellationToken).ConfigureAwait(false);
        return done.TryGetProperty("response", out var created) && created.ValueKind == JsonValueKind.Object && created.TryGetProperty("name", out _)
            ? ReadKey(created)
            : await GetKeyAsync($"{Parent(project)}/keys/{keyId}", cancellationToken).ConfigureAwait(false)
                ?? throw new ProviderRequestException(ProviderId.GoogleGemini, ProviderErrorKind.Unknown, $"{ProviderId.GoogleGemini}: the create operation of key {keyId} finished, but the key cannot be read back.");
    }

    /// <summary>Reads a key (<c>GET /v2/{name}</c>), or <see langword="null"/> when Google does not know it.</summary>
    public async Task<GoogleKey?> GetKeyAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, Uri($"v2/{name}"), null, "get key", safeToRetry: true, cancellationToken, allowNotFound: true).ConfigureAwait(false);
        return response.StatusCode == 404 ? null : ReadKey(Parse(response.Body));
    }

    /// <summary>Reads a key's secret (<c>GET /v2/{name}/keyString</c>).</summary>
    public async Task<SecretValue> GetKeyStringAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, Uri($"v2/{name}/keyString"), null, "getKeyString", safeToRetry: true, cancellationToken).ConfigureAwait(false);
        var reader = new Utf8JsonReader(response.Body);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("keyString"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                return reader.ValueIsEscaped ? SecretValue.FromString(reader.GetString()!) : SecretValue.FromUtf8(reader.ValueSpan);
            }
        }

        throw new ProviderRequestException(ProviderId.GoogleGemini, ProviderErrorKind.Unknown, $"{ProviderId.GoogleGemini}: getKeyString of {name} answered without a keyString.");
    }

    /// <summary>Lists a project's keys, every page (<c>GET /v2/{parent}/keys?pageToken=</c>).</summary>
    public async IAsyncEnumerable<GoogleKey> ListKeysAsync(string project, bool showDeleted, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? pageToken = null;
        do
        {
            var query = "pageSize=300" + (showDeleted ? "&showDeleted=true" : string.Empty) + (pageToken is null ? string.Empty : "&pageToken=" + System.Uri.EscapeDataString(pageToken));
            List<GoogleKey> page;
            using (var response = await SendAsync(HttpMethod.Get, Uri($"v2/{Parent(project)}/keys?{query}"), null, "list keys", safeToRetry: true, cancellationToken).ConfigureAwait(false))
            {
                var root = Parse(response.Body);
                page = root.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Array ? [.. keys.EnumerateArray().Select(ReadKey)] : [];
                pageToken = root.TryGetProperty("nextPageToken", out var next) && next.ValueKind == JsonValueKind.String && next.GetString() is { Length: > 0 } token ? token : null;
            }

            foreach (var key in page)
            {
                yield return key;
            }
        }
        while (pageToken is not null);
    }

    /// <summary>Soft-deletes a key (<c>DELETE /v2/{name}?etag=</c>) and waits for the operation.</summary>
    public async Task DeleteKeyAsync(GoogleKey key, CancellationToken cancellationToken)
    {
        var query = key.Etag is null ? string.Empty : "?etag=" + System.Uri.EscapeDataString(key.Etag);
        JsonElement operation;
        using (var response = await SendAsync(HttpMethod.Delete, Uri($"v2/{key.Name}{query}"), null, "delete key", safeToRetry: true, cancellationToken).ConfigureAwait(false))
        {
            operation = Parse(response.Body);
        }

        await WaitAsync(operation, $"delete key {key.KeyId}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Restores a soft-deleted key (<c>POST /v2/{name}:undelete</c>) and waits for the operation.</summary>
    public async Task UndeleteKeyAsync(string name, CancellationToken cancellationToken)
    {
        JsonElement operation;
        using (var response = await SendAsync(HttpMethod.Post, Uri($"v2/{name}:undelete"), "{}"u8.ToArray(), "undelete key", safeToRetry: true, cancellationToken).ConfigureAwait(false))
        {
            operation = Parse(response.Body);
        }

        await WaitAsync(operation, $"undelete key {name[(name.LastIndexOf('/') + 1)..]}", cancellationToken).ConfigureAwait(false);
    }

    private static string? Fix(ProviderErrorKind kind)
    {
        if (kind == ProviderErrorKind.InvalidKey)
        {
            return "Google rejected the OAuth token: check the connection's credential (application-default credentials, service account key).";
        }

        if (kind == ProviderErrorKind.Forbidden)
        {
            return "Give the identity the API Keys Admin role (roles/serviceusage.apiKeysAdmin: apikeys.keys.create, get, getKeyString, list, delete, undelete) on the project, and enable the API Keys API (apikeys.googleapis.com).";
        }

        return kind == ProviderErrorKind.NotFound ? $"Check the managed key's '{GoogleGeminiConstants.ProjectScopeKey}' scope entry (or the connection's Project) and the key id." : null;
    }

    private static JsonElement Parse(byte[] body)
    {
        using var document = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
        return document.RootElement.Clone();
    }

    private static GoogleKey ReadKey(JsonElement key)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (key.TryGetProperty("annotations", out var map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.String)
                {
                    annotations[entry.Name] = entry.Value.GetString()!;
                }
            }
        }

        return new GoogleKey(
            String(key, "name") ?? throw new ProviderRequestException(ProviderId.GoogleGemini, ProviderErrorKind.Unknown, $"{ProviderId.GoogleGemini}: the API Keys API described a key without a name."),
            String(key, "uid"),
            String(key, "displayName"),
            Time(key, "createTime"),
            Time(key, "deleteTime"),
            String(key, "etag"),
            annotations,
            key.TryGetProperty("restrictions", out var restrictions) && restrictions.ValueKind == JsonValueKind.Object ? JsonNode.Parse(restrictions.GetRawText()) : null);
    }

    private static string? String(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement element, string name)
        => String(element, name) is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    // Polls operations/* until done; an operation that finished with an error becomes a classified exception.
    private async Task<JsonElement> WaitAsync(JsonElement operation, string what, CancellationToken cancellationToken)
    {
        var current = operation;
        if (!IsDone(current))
        {
            var name = String(current, "name") ?? throw new ProviderRequestException(ProviderId.GoogleGemini, ProviderErrorKind.Unknown, $"{ProviderId.GoogleGemini}: {what} returned an unfinished operation without a name to poll.");
            Log.OperationPending(_logger, name, what);
            current = await _calls.PollAsync(
                async token =>
                {
                    using var response = await SendAsync(HttpMethod.Get, Uri($"v2/{name}"), null, "get operation", safeToRetry: true, token).ConfigureAwait(false);
                    var polled = Parse(response.Body);
                    return (IsDone(polled), polled, response.RetryAfter);
                },
                _options.Polling,
                what,
                cancellationToken).ConfigureAwait(false);
        }

        if (current.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            throw OperationError(error, what, String(current, "name"));
        }

        return current;
    }

    private static bool IsDone(JsonElement operation) => operation.TryGetProperty("done", out var done) && done.ValueKind == JsonValueKind.True;

    private static ProviderRequestException OperationError(JsonElement error, string what, string? operationName)
    {
        var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var number) ? number : 2;
        var (status, kind) = code switch
        {
            3 => ("INVALID_ARGUMENT", ProviderErrorKind.BadRequest),
            4 => ("DEADLINE_EXCEEDED", ProviderErrorKind.Transient),
            5 => ("NOT_FOUND", ProviderErrorKind.NotFound),
            6 => ("ALREADY_EXISTS", ProviderErrorKind.Conflict),
            7 => ("PERMISSION_DENIED", ProviderErrorKind.Forbidden),
            8 => ("RESOURCE_EXHAUSTED", ProviderErrorKind.RateLimited),
            9 => ("FAILED_PRECONDITION", ProviderErrorKind.Conflict),
            10 => ("ABORTED", ProviderErrorKind.Transient),
            13 => ("INTERNAL", ProviderErrorKind.Transient),
            14 => ("UNAVAILABLE", ProviderErrorKind.Transient),
            16 => ("UNAUTHENTICATED", ProviderErrorKind.InvalidKey),
            _ => ("UNKNOWN", ProviderErrorKind.Unknown),
        };
        var message = String(error, "message");
        if (message is { Length: > 300 })
        {
            message = message[..300] + "…";
        }

        var hint = Fix(kind);
        return new ProviderRequestException(ProviderId.GoogleGemini, kind, $"{ProviderId.GoogleGemini}: {what} finished with an error ({status}).{(message is null ? string.Empty : " Google said: " + SecretScrubber.Scrub(message))}{(hint is null ? string.Empty : " " + hint)}")
        {
            ProviderErrorCode = status,
            RequestId = operationName,
        };
    }

    private Uri Uri(string relative) => new(_options.BaseAddress, relative);

    private async Task<ProviderHttpResponse> SendAsync(HttpMethod method, Uri uri, byte[]? body, string operation, bool safeToRetry, CancellationToken cancellationToken, bool allowNotFound = false)
    {
        var response = await _calls.SendAsync(
            _http,
            async token =>
            {
                var accessToken = await _token.GetAccessTokenForRequestAsync(uri.ToString(), token).ConfigureAwait(false);
                var request = new HttpRequestMessage(method, uri);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                if (body is not null)
                {
                    request.Content = new ByteArrayContent(body);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                }

                return request;
            },
            operation,
            safeToRetry,
            cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess || (allowNotFound && response.StatusCode == 404))
        {
            return response;
        }

        using (response)
        {
            throw _calls.JsonError(response, operation, Fix);
        }
    }
}
