using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronCage.Providers.Http;
using IronCage.Verification;

namespace IronCage.Providers.XAI.Internal;

/// <summary>xAI's Management API (PROVIDERS.md §7) and its inference API's key check.</summary>
internal sealed class XAIClient
{
    private readonly ProviderHttp _http;

    public XAIClient(ProviderHttp http) => _http = http;

    /// <summary><c>POST auth/teams/{teamId}/api-keys</c> with the name and ACLs; the answer holds <c>apiKey</c> (the value, once) and <c>apiKeyId</c>.</summary>
    public async Task<CreatedProviderKey> CreateAsync(ProviderEndpoint endpoint, string teamId, string name, IReadOnlyList<string> acls, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["name"] = name, ["acls"] = new JsonArray([.. acls.Select(a => (JsonNode)a)]) };
        var body = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Post, endpoint.Resolve($"auth/teams/{ProviderJson.Segment(teamId)}/api-keys"), "create key") { Body = request, Idempotent = false }, cancellationToken).ConfigureAwait(false)
            ?? throw new IronCageException("xAI answered a create with an empty body; retry later.");
        var info = Map(body);
        var secret = body.GetStringOrNull("apiKey") is { Length: > 0 } value
            ? SecretValue.FromString(value)
            : throw new IronCageException($"xAI created key {info.ProviderKeyId} without returning its value; delete it at {_http.Descriptor.ConsoleUrl} and retry.");
        return new CreatedProviderKey(info.ProviderKeyId, secret) { Name = info.Name ?? name, Metadata = info.Metadata };
    }

    /// <summary>Every key of the team, <see cref="XAIConstants.ListPageSize"/> at a time, following the page token until there is none.</summary>
    public async IAsyncEnumerable<ProviderKeyInfo> ListAsync(ProviderEndpoint endpoint, string teamId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var query = string.Create(CultureInfo.InvariantCulture, $"auth/teams/{ProviderJson.Segment(teamId)}/api-keys?pageSize={XAIConstants.ListPageSize}")
                + (token is null ? string.Empty : "&paginationToken=" + Uri.EscapeDataString(token));
            var page = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Get, endpoint.Resolve(query), "list keys"), cancellationToken).ConfigureAwait(false);
            foreach (var key in page.EnumerateArrayOrEmpty("apiKeys"))
            {
                yield return Map(key);
            }

            var next = page?.GetStringOrNull("nextPageToken") ?? page?.GetStringOrNull("paginationToken");

            // A provider that hands back the same token again would loop forever: stop instead.
            if (string.IsNullOrEmpty(next) || !seen.Add(next))
            {
                yield break;
            }

            token = next;
        }
    }

    /// <summary><c>DELETE auth/api-keys/{apiKeyId}</c>; false when the key is already gone (404).</summary>
    public async Task<bool> DeleteAsync(ProviderEndpoint endpoint, string apiKeyId, CancellationToken cancellationToken)
        => await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Delete, endpoint.Resolve($"auth/api-keys/{ProviderJson.Segment(apiKeyId)}"), "delete key") { NotFoundIsNull = true }, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Verifies an inference key with <c>GET v1/api-key</c> on the inference API; a management key with <c>GET auth/management-keys/validation</c>.</summary>
    public Task<KeyVerificationResult> VerifyAsync(ProviderEndpoint endpoint, Uri inferenceAddress, SecretValue key, KeyKind kind, CancellationToken cancellationToken)
        => kind == KeyKind.Admin
            ? _http.VerifyAsync(endpoint, endpoint.Resolve("auth/management-keys/validation"), key, _http.Descriptor.AdminVerifyCall?.Rules, cancellationToken)
            : _http.VerifyAsync(endpoint, new Uri(ProviderOptionsChecks.Normalize(inferenceAddress), "v1/api-key"), key, _http.Descriptor.VerifyCall?.Rules, cancellationToken);

    public ProviderKeyInfo Map(JsonElement key)
    {
        var metadata = new Dictionary<string, string>();
        var acls = key.TryGetProperty("acls", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToList()
            : [];
        if (acls.Count > 0)
        {
            metadata[XAIConstants.AclsMetadataKey] = string.Join(",", acls);
        }

        var disabled = key.GetBooleanOrNull("disabled") == true || key.GetBooleanOrNull("apiKeyDisabled") == true || key.GetBooleanOrNull("apiKeyBlocked") == true;
        return new ProviderKeyInfo
        {
            ProviderKeyId = key.GetRequiredString("apiKeyId", _http.Provider),
            Name = key.GetStringOrNull("name"),
            DisplayHint = key.GetStringOrNull("redactedApiKey"),
            Status = disabled ? ProviderKeyStatus.Inactive : ProviderKeyStatus.Active,
            CreatedAt = key.GetTimestampOrNull("createTime"),
            Metadata = metadata,
        };
    }
}
