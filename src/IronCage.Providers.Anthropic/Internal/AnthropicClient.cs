using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronCage.Providers.Http;
using IronCage.Verification;

namespace IronCage.Providers.Anthropic.Internal;

/// <summary>Anthropic's Admin API for keys, as PROVIDERS.md §2 gives it: list, get and update (name, status).</summary>
internal sealed class AnthropicClient
{
    private readonly ProviderHttp _http;

    public AnthropicClient(ProviderHttp http) => _http = http;

    /// <summary>Every key, page by page (<c>after_id</c> until <c>has_more</c> is false), filtered by workspace and creator when given.</summary>
    public async IAsyncEnumerable<ProviderKeyInfo> ListAsync(ProviderEndpoint endpoint, string? workspaceId, string? createdByUserId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filters = (workspaceId is null ? string.Empty : "&workspace_id=" + Uri.EscapeDataString(workspaceId))
            + (createdByUserId is null ? string.Empty : "&created_by_user_id=" + Uri.EscapeDataString(createdByUserId));
        string? after = null;
        while (true)
        {
            var query = string.Create(CultureInfo.InvariantCulture, $"v1/organizations/api_keys?limit={AnthropicConstants.PageSize}") + filters + (after is null ? string.Empty : "&after_id=" + Uri.EscapeDataString(after));
            var page = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Get, endpoint.Resolve(query), "list API keys"), cancellationToken).ConfigureAwait(false);
            foreach (var key in page.EnumerateArrayOrEmpty("data"))
            {
                yield return Map(key);
            }

            if (page is not { } body || body.GetBooleanOrNull("has_more") != true || body.GetStringOrNull("last_id") is not { } last || last == after)
            {
                yield break;
            }

            after = last;
        }
    }

    public async Task<ProviderKeyInfo?> GetAsync(ProviderEndpoint endpoint, string keyId, CancellationToken cancellationToken)
    {
        var body = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Get, endpoint.Resolve($"v1/organizations/api_keys/{ProviderJson.Segment(keyId)}"), "read API key") { NotFoundIsNull = true }, cancellationToken).ConfigureAwait(false);
        return body is { } key ? Map(key) : null;
    }

    /// <summary>Renames a key and/or sets its status (<c>active</c>, <c>inactive</c>, <c>archived</c>); <see langword="null"/> when the key is unknown.</summary>
    public async Task<ProviderKeyInfo?> UpdateAsync(ProviderEndpoint endpoint, string keyId, string? name, string? status, CancellationToken cancellationToken)
    {
        var request = new JsonObject();
        if (name is not null)
        {
            request["name"] = name;
        }

        if (status is not null)
        {
            request["status"] = status;
        }

        // Setting a name or status twice leaves the same state: safe to retry.
        var body = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Post, endpoint.Resolve($"v1/organizations/api_keys/{ProviderJson.Segment(keyId)}"), "update API key") { Body = request, NotFoundIsNull = true }, cancellationToken).ConfigureAwait(false);
        return body is { } key ? Map(key) : null;
    }

    public Task<KeyVerificationResult> VerifyAsync(ProviderEndpoint endpoint, SecretValue key, KeyKind kind, CancellationToken cancellationToken)
        => _http.VerifyAsync(endpoint, endpoint.Resolve(kind == KeyKind.Admin ? "v1/organizations/me" : "v1/models"), key, null, cancellationToken);

    private ProviderKeyInfo Map(JsonElement key)
    {
        var metadata = new Dictionary<string, string>();
        var workspace = key.GetObjectOrNull("scope") is { } scope && scope.GetStringOrNull("workspace_id") is { } scoped ? scoped : key.GetStringOrNull("workspace_id");
        if (workspace is not null)
        {
            metadata[AnthropicConstants.WorkspaceIdScopeKey] = workspace;
        }

        if (key.GetObjectOrNull("created_by") is { } creator && creator.GetStringOrNull("id") is { } creatorId)
        {
            metadata[AnthropicConstants.CreatedByUserIdScopeKey] = creatorId;
        }

        return new ProviderKeyInfo
        {
            ProviderKeyId = key.GetRequiredString("id", _http.Provider),
            Name = key.GetStringOrNull("name"),
            DisplayHint = key.GetStringOrNull("partial_key_hint"),
            Status = key.GetStringOrNull("status") switch
            {
                "active" => ProviderKeyStatus.Active,
                "inactive" => ProviderKeyStatus.Inactive,
                "archived" => ProviderKeyStatus.Deleted,
                "expired" => ProviderKeyStatus.Expired,
                _ => ProviderKeyStatus.Unknown,
            },
            CreatedAt = key.GetTimestampOrNull("created_at"),
            ExpiresAt = key.GetTimestampOrNull("expires_at"),
            Metadata = metadata,
        };
    }
}
