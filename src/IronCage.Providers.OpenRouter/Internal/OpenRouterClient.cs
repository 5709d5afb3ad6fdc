using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronCage.Providers.Http;
using IronCage.Verification;
using NodaTime;

namespace IronCage.Providers.OpenRouter.Internal;

/// <summary>What to create: the wire fields of <c>POST /keys</c>.</summary>
internal sealed record OpenRouterKeySpec(string Name, decimal? Limit, string? LimitReset, Instant? ExpiresAt, string? WorkspaceId, string? CreatorUserId);

/// <summary>OpenRouter's key-management API, as PROVIDERS.md §6 gives it.</summary>
internal sealed class OpenRouterClient
{
    private readonly ProviderHttp _http;

    public OpenRouterClient(ProviderHttp http) => _http = http;

    public async Task<CreatedProviderKey> CreateAsync(ProviderEndpoint endpoint, OpenRouterKeySpec spec, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["name"] = spec.Name };
        if (spec.Limit is { } limit)
        {
            request["limit"] = limit;
        }

        if (spec.LimitReset is { } reset)
        {
            request["limit_reset"] = reset;
        }

        if (spec.ExpiresAt is { } expiresAt)
        {
            request["expires_at"] = ProviderJson.Format(expiresAt);
        }

        if (spec.WorkspaceId is { } workspace)
        {
            request["workspace_id"] = workspace;
        }

        if (spec.CreatorUserId is { } creator)
        {
            request["creator_user_id"] = creator;
        }

        var body = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Post, endpoint.Resolve("keys"), "create key") { Body = request, Idempotent = false }, cancellationToken).ConfigureAwait(false)
            ?? throw new IronCageException("OpenRouter answered a create with an empty body; retry later.");
        var data = body.GetObjectOrNull("data") ?? throw new IronCageException("OpenRouter answered a create without 'data'; the provider's API may have changed.");
        var info = Map(data);
        var secret = body.GetStringOrNull("key") is { Length: > 0 } value ? SecretValue.FromString(value) : throw new IronCageException($"OpenRouter created key {info.ProviderKeyId} without returning its value; delete it at {_http.Descriptor.ConsoleUrl} and retry.");
        return new CreatedProviderKey(info.ProviderKeyId, secret) { Name = info.Name, ExpiresAt = info.ExpiresAt, Metadata = info.Metadata };
    }

    /// <summary>Every key (disabled ones too), 100 at a time with <c>offset</c>, until a page comes back empty.</summary>
    public async IAsyncEnumerable<ProviderKeyInfo> ListAsync(ProviderEndpoint endpoint, string? workspaceId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var workspace = workspaceId is null ? string.Empty : "&workspace_id=" + Uri.EscapeDataString(workspaceId);
        var offset = 0;
        while (true)
        {
            var query = string.Create(CultureInfo.InvariantCulture, $"keys?include_disabled=true&offset={offset}") + workspace;
            var page = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Get, endpoint.Resolve(query), "list keys"), cancellationToken).ConfigureAwait(false);
            var count = 0;
            foreach (var key in page.EnumerateArrayOrEmpty("data"))
            {
                count++;
                yield return Map(key);
            }

            if (count == 0)
            {
                yield break;
            }

            offset += count;
        }
    }

    public async Task<JsonElement?> GetAsync(ProviderEndpoint endpoint, string hash, CancellationToken cancellationToken)
    {
        var body = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Get, endpoint.Resolve($"keys/{ProviderJson.Segment(hash)}"), "read key") { NotFoundIsNull = true }, cancellationToken).ConfigureAwait(false);
        return body?.GetObjectOrNull("data");
    }

    public async Task DisableAsync(ProviderEndpoint endpoint, string hash, CancellationToken cancellationToken)
        => await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Patch, endpoint.Resolve($"keys/{ProviderJson.Segment(hash)}"), "disable key") { Body = new JsonObject { ["disabled"] = true } }, cancellationToken).ConfigureAwait(false);

    public async Task<bool> DeleteAsync(ProviderEndpoint endpoint, string hash, CancellationToken cancellationToken)
        => await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Delete, endpoint.Resolve($"keys/{ProviderJson.Segment(hash)}"), "delete key") { NotFoundIsNull = true }, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Verifies with <c>GET /key</c>; a management key must also say <c>is_management_key: true</c>.</summary>
    public Task<KeyVerificationResult> VerifyAsync(ProviderEndpoint endpoint, SecretValue key, KeyKind kind, CancellationToken cancellationToken)
        => _http.VerifyAsync(endpoint, endpoint.Resolve("key"), key, kind == KeyKind.Admin ? _http.Descriptor.AdminVerifyCall?.Rules : null, cancellationToken);

    public ProviderKeyInfo Map(JsonElement key)
    {
        var metadata = new Dictionary<string, string>();
        if (key.GetDecimalOrNull("limit") is { } limit)
        {
            metadata[OpenRouterConstants.LimitMetadataKey] = limit.ToString(CultureInfo.InvariantCulture);
        }

        if (key.GetStringOrNull("limit_reset") is { } reset)
        {
            metadata[OpenRouterConstants.LimitResetMetadataKey] = reset;
        }

        if (key.GetStringOrNull("workspace_id") is { } workspace)
        {
            metadata[OpenRouterConstants.WorkspaceIdScopeKey] = workspace;
        }

        var expiresAt = key.GetTimestampOrNull("expires_at");
        return new ProviderKeyInfo
        {
            ProviderKeyId = key.GetRequiredString("hash", _http.Provider),
            Name = key.GetStringOrNull("name"),
            DisplayHint = key.GetStringOrNull("label"),
            Status = key.GetBooleanOrNull("disabled") == true ? ProviderKeyStatus.Inactive
                : expiresAt is { } expiry && expiry <= _http.Clock.GetCurrentInstant() ? ProviderKeyStatus.Expired
                : ProviderKeyStatus.Active,
            CreatedAt = key.GetTimestampOrNull("created_at"),
            ExpiresAt = expiresAt,
            Metadata = metadata,
        };
    }
}
