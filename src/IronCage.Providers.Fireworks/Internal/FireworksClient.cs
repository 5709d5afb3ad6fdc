using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronCage.Providers.Http;
using IronCage.Verification;
using NodaTime;

namespace IronCage.Providers.Fireworks.Internal;

/// <summary>Where one user's keys live: <c>v1/accounts/{account_id}/users/{user_id}/apiKeys</c>.</summary>
internal sealed record FireworksKeyOwner(string AccountId, string UserId)
{
    public string Path => $"v1/accounts/{ProviderJson.Segment(AccountId)}/users/{ProviderJson.Segment(UserId)}/apiKeys";
}

/// <summary>Fireworks' Gateway REST API for API keys (CreateApiKey, ListApiKeys, DeleteApiKey), as PROVIDERS.md §8 and the API reference give it.</summary>
internal sealed class FireworksClient
{
    private readonly ProviderHttp _http;

    public FireworksClient(ProviderHttp http) => _http = http;

    public async Task<CreatedProviderKey> CreateAsync(ProviderEndpoint endpoint, FireworksKeyOwner owner, string displayName, Instant? expiresAt, CancellationToken cancellationToken)
    {
        var apiKey = new JsonObject { ["displayName"] = displayName };
        if (expiresAt is { } expiry)
        {
            apiKey["expireTime"] = ProviderJson.Format(expiry);
        }

        // Sent once: after an unclear failure the rotation engine lists the keys and finds the one it named.
        var body = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Post, endpoint.Resolve(owner.Path), "create API key") { Body = new JsonObject { ["apiKey"] = apiKey }, Idempotent = false }, cancellationToken).ConfigureAwait(false)
            ?? throw new IronCageException("Fireworks answered a create with an empty body; retry later.");
        var info = Map(body, owner);
        var secret = body.GetStringOrNull("key") is { Length: > 0 } value ? SecretValue.FromString(value) : throw new IronCageException($"Fireworks created key {info.ProviderKeyId} without returning its value; delete it at {_http.Descriptor.ConsoleUrl} and retry.");
        return new CreatedProviderKey(info.ProviderKeyId, secret) { Name = info.Name, ExpiresAt = info.ExpiresAt ?? expiresAt, Metadata = info.Metadata };
    }

    /// <summary>Every key of the user, <see cref="FireworksConstants.ListPageSize"/> at a time, following <c>nextPageToken</c> until it is empty (or repeats).</summary>
    public async IAsyncEnumerable<ProviderKeyInfo> ListAsync(ProviderEndpoint endpoint, FireworksKeyOwner owner, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        while (true)
        {
            var query = string.Create(CultureInfo.InvariantCulture, $"{owner.Path}?pageSize={FireworksConstants.ListPageSize}") + (token is null ? string.Empty : "&pageToken=" + Uri.EscapeDataString(token));
            var page = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Get, endpoint.Resolve(query), "list API keys"), cancellationToken).ConfigureAwait(false);
            foreach (var key in page.EnumerateArrayOrEmpty("apiKeys"))
            {
                yield return Map(key, owner);
            }

            // The reference marks paging "to be added": a service that ignores pageToken would answer the same token forever.
            token = page is { } body ? body.GetStringOrNull("nextPageToken") : null;
            if (string.IsNullOrEmpty(token) || !seen.Add(token))
            {
                yield break;
            }
        }
    }

    /// <summary>Deletes with the custom verb <c>POST …/apiKeys:delete</c>; <see langword="false"/> when the key was already gone (404).</summary>
    public async Task<bool> DeleteAsync(ProviderEndpoint endpoint, FireworksKeyOwner owner, string keyId, CancellationToken cancellationToken)
        => await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Post, endpoint.Resolve(owner.Path + ":delete"), "delete API key")
        {
            Body = new JsonObject { ["keyId"] = keyId },
            // Deleting twice is harmless (the second answers 404, which counts as deleted).
            Idempotent = true,
            NotFoundIsNull = true,
        }, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Verifies with the OpenAI-compatible <c>GET /inference/v1/models</c>.</summary>
    public Task<KeyVerificationResult> VerifyAsync(ProviderEndpoint endpoint, SecretValue key, CancellationToken cancellationToken)
        => _http.VerifyAsync(endpoint, endpoint.Resolve("inference/v1/models"), key, null, cancellationToken);

    private ProviderKeyInfo Map(JsonElement key, FireworksKeyOwner owner)
    {
        var metadata = new Dictionary<string, string> { [FireworksConstants.UserIdMetadataKey] = owner.UserId };
        var prefix = key.GetStringOrNull("prefix");
        if (prefix is { Length: > 0 })
        {
            metadata[FireworksConstants.PrefixMetadataKey] = prefix;
        }

        if (key.GetStringOrNull("email") is { Length: > 0 } email)
        {
            metadata[FireworksConstants.EmailMetadataKey] = email;
        }

        var expiresAt = key.GetTimestampOrNull("expireTime");
        return new ProviderKeyInfo
        {
            ProviderKeyId = key.GetRequiredString("keyId", _http.Provider),
            Name = key.GetStringOrNull("displayName"),
            DisplayHint = prefix is { Length: > 0 } ? prefix + "..." : null,
            Status = expiresAt is { } expiry && expiry <= _http.Clock.GetCurrentInstant() ? ProviderKeyStatus.Expired : ProviderKeyStatus.Active,
            CreatedAt = key.GetTimestampOrNull("createTime"),
            ExpiresAt = expiresAt,
            Metadata = metadata,
        };
    }
}
