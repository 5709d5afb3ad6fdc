using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronCage.Providers.Http;
using IronCage.Verification;
using NodaTime;

namespace IronCage.Providers.OpenAI.Internal;

/// <summary>OpenAI's Admin API for keys, as PROVIDERS.md §1 gives it: admin keys, project keys and project service accounts.</summary>
internal sealed class OpenAIClient
{
    // The name OpenAI gives the key a new service account is created with (the official spec's example).
    private const string ServiceAccountDefaultKeyName = "Secret Key";

    private readonly ProviderHttp _http;

    public OpenAIClient(ProviderHttp http) => _http = http;

    public IAsyncEnumerable<ProviderKeyInfo> ListAdminKeysAsync(ProviderEndpoint endpoint, CancellationToken cancellationToken)
        => PagesAsync(endpoint, "organization/admin_api_keys", "list admin keys", MapAdminKey, cancellationToken);

    public async Task<ProviderKeyInfo?> GetAdminKeyAsync(ProviderEndpoint endpoint, string keyId, CancellationToken cancellationToken)
    {
        var body = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Get, endpoint.Resolve($"organization/admin_api_keys/{ProviderJson.Segment(keyId)}"), "read admin key") { NotFoundIsNull = true }, cancellationToken).ConfigureAwait(false);
        return body is { } key ? MapAdminKey(key) : null;
    }

    public async Task<CreatedProviderKey> CreateAdminKeyAsync(ProviderEndpoint endpoint, string name, long? expiresInSeconds, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["name"] = name };
        if (expiresInSeconds is { } seconds)
        {
            request["expires_in_seconds"] = seconds;
        }

        var body = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Post, endpoint.Resolve("organization/admin_api_keys"), "create admin key") { Body = request, Idempotent = false }, cancellationToken).ConfigureAwait(false);
        var key = body ?? throw EmptyAnswer("create admin key");
        var info = MapAdminKey(key);
        return new CreatedProviderKey(info.ProviderKeyId, Secret(key))
        {
            Name = info.Name,
            ExpiresAt = info.ExpiresAt,
        };
    }

    public Task<bool> DeleteAdminKeyAsync(ProviderEndpoint endpoint, string keyId, CancellationToken cancellationToken)
        => DeleteAsync(endpoint, $"organization/admin_api_keys/{ProviderJson.Segment(keyId)}", "delete admin key", cancellationToken);

    public IAsyncEnumerable<ProviderKeyInfo> ListProjectKeysAsync(ProviderEndpoint endpoint, string projectId, CancellationToken cancellationToken)
        => PagesAsync(endpoint, $"organization/projects/{ProviderJson.Segment(projectId)}/api_keys", "list project keys", MapProjectKey, cancellationToken);

    public async Task<ProviderKeyInfo?> GetProjectKeyAsync(ProviderEndpoint endpoint, string projectId, string keyId, CancellationToken cancellationToken)
    {
        var body = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Get, endpoint.Resolve($"organization/projects/{ProviderJson.Segment(projectId)}/api_keys/{ProviderJson.Segment(keyId)}"), "read project key") { NotFoundIsNull = true }, cancellationToken).ConfigureAwait(false);
        return body is { } key ? MapProjectKey(key) : null;
    }

    /// <summary>Deletes a project key; OpenAI answers 400 when a service account owns it (see the adapter).</summary>
    public Task<bool> DeleteProjectKeyAsync(ProviderEndpoint endpoint, string projectId, string keyId, CancellationToken cancellationToken)
        => DeleteAsync(endpoint, $"organization/projects/{ProviderJson.Segment(projectId)}/api_keys/{ProviderJson.Segment(keyId)}", "delete project key", cancellationToken);

    /// <summary>Creates a service account; its answer carries the account's first key (<c>api_key.value</c>, shown once).</summary>
    public async Task<CreatedProviderKey> CreateServiceAccountAsync(ProviderEndpoint endpoint, string projectId, string name, CancellationToken cancellationToken)
    {
        var body = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Post, endpoint.Resolve($"organization/projects/{ProviderJson.Segment(projectId)}/service_accounts"), "create project service account")
        {
            Body = new JsonObject { ["name"] = name },
            Idempotent = false,
        }, cancellationToken).ConfigureAwait(false);
        var account = body ?? throw EmptyAnswer("create project service account");
        var serviceAccountId = account.GetRequiredString("id", _http.Provider);
        var apiKey = account.GetObjectOrNull("api_key") ?? throw new IronCageException($"OpenAI created service account {serviceAccountId} without an api_key. Delete it in the console ({_http.Descriptor.ConsoleUrl}) and retry.");
        return new CreatedProviderKey(apiKey.GetRequiredString("id", _http.Provider), Secret(apiKey))
        {
            // OpenAI names the key of a new service account "Secret Key"; the name IronCage gave is the account's.
            Name = account.GetStringOrNull("name") ?? apiKey.GetStringOrNull("name"),
            Metadata = new Dictionary<string, string> { [OpenAIConstants.ServiceAccountIdMetadataKey] = serviceAccountId, [OpenAIConstants.ProjectIdScopeKey] = projectId },
        };
    }

    public async Task<CreatedProviderKey> CreateServiceAccountKeyAsync(ProviderEndpoint endpoint, string projectId, string serviceAccountId, string name, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["name"] = name };
        if (scopes.Count > 0)
        {
            request["scopes"] = new JsonArray([.. scopes.Select(s => (JsonNode?)JsonValue.Create(s))]);
        }

        var body = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Post, endpoint.Resolve($"organization/projects/{ProviderJson.Segment(projectId)}/service_accounts/{ProviderJson.Segment(serviceAccountId)}/api_keys"), "create service-account key")
        {
            Body = request,
            Idempotent = false,
        }, cancellationToken).ConfigureAwait(false);
        var key = body ?? throw EmptyAnswer("create service-account key");
        return new CreatedProviderKey(key.GetRequiredString("id", _http.Provider), Secret(key))
        {
            Name = key.GetStringOrNull("name"),
            Metadata = new Dictionary<string, string> { [OpenAIConstants.ServiceAccountIdMetadataKey] = serviceAccountId, [OpenAIConstants.ProjectIdScopeKey] = projectId },
        };
    }

    public Task<bool> DeleteServiceAccountAsync(ProviderEndpoint endpoint, string projectId, string serviceAccountId, CancellationToken cancellationToken)
        => DeleteAsync(endpoint, $"organization/projects/{ProviderJson.Segment(projectId)}/service_accounts/{ProviderJson.Segment(serviceAccountId)}", "delete project service account", cancellationToken);

    /// <summary>Verifies an inference key with <c>GET /v1/models</c>, an admin key with a one-item page of admin keys.</summary>
    public Task<KeyVerificationResult> VerifyAsync(ProviderEndpoint endpoint, SecretValue key, KeyKind kind, CancellationToken cancellationToken)
        => _http.VerifyAsync(endpoint, endpoint.Resolve(kind == KeyKind.Admin ? "organization/admin_api_keys?limit=1" : "models"), key, null, cancellationToken);

    private static SecretValue Secret(JsonElement key)
        => key.GetStringOrNull("value") is { Length: > 0 } value ? SecretValue.FromString(value) : throw new IronCageException("OpenAI answered a create without the key's value; the key cannot be used. Delete it in the console and retry.");

    private static IronCageException EmptyAnswer(string operation) => new($"OpenAI answered '{operation}' with an empty body; retry later.");

    private async Task<bool> DeleteAsync(ProviderEndpoint endpoint, string path, string operation, CancellationToken cancellationToken)
    {
        var answer = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Delete, endpoint.Resolve(path), operation) { NotFoundIsNull = true }, cancellationToken).ConfigureAwait(false);
        return answer is not null;
    }

    // Cursor pagination of every admin list: limit and after (the last id of the previous page) until has_more is false.
    private async IAsyncEnumerable<T> PagesAsync<T>(ProviderEndpoint endpoint, string path, string operation, Func<JsonElement, T> map, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            var query = string.Create(CultureInfo.InvariantCulture, $"{path}?limit={OpenAIConstants.PageSize}") + (after is null ? string.Empty : "&after=" + Uri.EscapeDataString(after));
            var page = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Get, endpoint.Resolve(query), operation), cancellationToken).ConfigureAwait(false);
            foreach (var item in page.EnumerateArrayOrEmpty("data"))
            {
                yield return map(item);
            }

            if (page is not { } body || body.GetBooleanOrNull("has_more") != true || body.GetStringOrNull("last_id") is not { } last || last == after)
            {
                yield break;
            }

            after = last;
        }
    }

    private ProviderKeyInfo MapAdminKey(JsonElement key)
    {
        var expiresAt = key.GetUnixSecondsOrNull("expires_at");
        var metadata = new Dictionary<string, string>();
        if (key.GetObjectOrNull("owner") is { } owner && owner.GetStringOrNull("id") is { } ownerId)
        {
            metadata["owner_id"] = ownerId;
        }

        return new ProviderKeyInfo
        {
            ProviderKeyId = key.GetRequiredString("id", _http.Provider),
            Name = key.GetStringOrNull("name"),
            DisplayHint = key.GetStringOrNull("redacted_value"),
            Status = expiresAt is { } expiry && expiry <= _http.Clock.GetCurrentInstant() ? ProviderKeyStatus.Expired : ProviderKeyStatus.Active,
            CreatedAt = key.GetUnixSecondsOrNull("created_at"),
            ExpiresAt = expiresAt,
            LastUsedAt = key.GetUnixSecondsOrNull("last_used_at"),
            Metadata = metadata,
        };
    }

    // The key a service account is created with carries OpenAI's default name ("Secret Key", per the official spec's
    // example), not the name IronCage gave: such a key is known by its owning account's name, so a half-created one
    // is found again by the attempt's name. A key minted later with its own name keeps that name.
    private static string? NameOf(string? keyName, string? serviceAccountName)
        => serviceAccountName is not null && (keyName is null || string.Equals(keyName, ServiceAccountDefaultKeyName, StringComparison.OrdinalIgnoreCase))
            ? serviceAccountName
            : keyName;

    private ProviderKeyInfo MapProjectKey(JsonElement key)
    {
        var metadata = new Dictionary<string, string>();
        string? serviceAccountName = null;
        if (key.GetObjectOrNull("owner") is { } owner)
        {
            if (owner.GetStringOrNull("type") is { } ownerType)
            {
                metadata["owner_type"] = ownerType;
            }

            if (owner.GetObjectOrNull("service_account") is { } account && account.GetStringOrNull("id") is { } accountId)
            {
                metadata[OpenAIConstants.ServiceAccountIdMetadataKey] = accountId;
                serviceAccountName = account.GetStringOrNull("name");
            }
        }

        return new ProviderKeyInfo
        {
            ProviderKeyId = key.GetRequiredString("id", _http.Provider),
            Name = NameOf(key.GetStringOrNull("name"), serviceAccountName),
            DisplayHint = key.GetStringOrNull("redacted_value"),
            Status = key.GetStringOrNull("owner_project_access") == "inactive" ? ProviderKeyStatus.Inactive : ProviderKeyStatus.Active,
            CreatedAt = key.GetUnixSecondsOrNull("created_at"),
            LastUsedAt = key.GetUnixSecondsOrNull("last_used_at"),
            Metadata = metadata,
        };
    }

    /// <summary>The <c>expires_in_seconds</c> of an admin key that should expire at <paramref name="expiresAt"/> (at least 1 s).</summary>
    public static long ExpiresInSeconds(Instant now, Instant expiresAt)
        => Math.Max(1, (long)Math.Ceiling((expiresAt - now).TotalSeconds));
}
