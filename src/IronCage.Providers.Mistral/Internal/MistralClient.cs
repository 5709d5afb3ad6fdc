using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronCage.Providers.Http;
using IronCage.Verification;
using NodaTime;

namespace IronCage.Providers.Mistral.Internal;

/// <summary>What to create: the wire fields of <c>POST /api-keys</c>.</summary>
internal sealed record MistralKeySpec(string Name, Instant? ExpiresAt, string? WorkspaceId, string? UserId);

/// <summary>
/// Mistral's beta Admin API (PROVIDERS.md §9) with the admin key in <c>x-api-key</c>, and key verification with
/// <c>GET /v1/models</c> (bearer) on the inference API.
/// </summary>
internal sealed class MistralClient
{
    /// <summary>Keys per list page.</summary>
    internal const int PageSize = 100;

    private readonly ProviderHttp _admin;
    private readonly ProviderHttp _inference;

    /// <param name="admin">Calls to the Admin API (the descriptor's rules, with <c>x-api-key</c> auth).</param>
    /// <param name="inference">Calls to the inference API (the catalog's descriptor: bearer, the ambiguous-401 rule).</param>
    public MistralClient(ProviderHttp admin, ProviderHttp inference)
    {
        _admin = admin;
        _inference = inference;
    }

    public async Task<CreatedProviderKey> CreateAsync(ProviderEndpoint endpoint, MistralKeySpec spec, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["name"] = spec.Name };
        if (spec.ExpiresAt is { } expiresAt)
        {
            // The reference types expiration as a date: the key lives until that day (UTC), never longer than asked.
            request["expiration"] = expiresAt.InUtc().Date.ToString("yyyy'-'MM'-'dd", CultureInfo.InvariantCulture);
        }

        if (spec.WorkspaceId is { } workspace)
        {
            request["workspace_uuid"] = workspace;
        }

        if (spec.UserId is { } user)
        {
            request["user_id"] = user;
        }

        var body = await _admin.SendAsync(endpoint, new ProviderCall(HttpMethod.Post, endpoint.Resolve("api-keys"), "create key") { Body = request, Idempotent = false }, cancellationToken).ConfigureAwait(false)
            ?? throw new IronCageException("Mistral answered a create with an empty body; retry later.");
        var info = Map(body);
        var secret = body.GetStringOrNull("key") is { Length: > 0 } value && !IsMasked(value)
            ? SecretValue.FromString(value)
            : throw new IronCageException($"Mistral created key {info.ProviderKeyId} without returning its value; delete it at {_admin.Descriptor.ConsoleUrl} and retry.");
        return new CreatedProviderKey(info.ProviderKeyId, secret) { Name = info.Name, ExpiresAt = info.ExpiresAt, Metadata = info.Metadata };
    }

    /// <summary>Every key, <see cref="PageSize"/> at a time with <c>limit</c> and <c>offset</c>, until a page comes back short.</summary>
    public async IAsyncEnumerable<ProviderKeyInfo> ListAsync(ProviderEndpoint endpoint, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var offset = 0;
        while (true)
        {
            var query = string.Create(CultureInfo.InvariantCulture, $"api-keys?limit={PageSize}&offset={offset}");
            var page = await _admin.SendAsync(endpoint, new ProviderCall(HttpMethod.Get, endpoint.Resolve(query), "list keys"), cancellationToken).ConfigureAwait(false);
            var count = 0;
            foreach (var key in page.EnumerateArrayOrEmpty("keys"))
            {
                count++;
                yield return Map(key);
            }

            if (count < PageSize)
            {
                yield break;
            }

            offset += count;
        }
    }

    /// <summary>Verifies with <c>GET models</c> on the inference API; its 401 is ambiguous (invalid key or exhausted quota).</summary>
    public Task<KeyVerificationResult> VerifyAsync(ProviderEndpoint endpoint, Uri inferenceAddress, SecretValue key, CancellationToken cancellationToken)
        => _inference.VerifyAsync(endpoint, new Uri(ProviderOptionsChecks.Normalize(inferenceAddress), "models"), key, null, cancellationToken);

    public ProviderKeyInfo Map(JsonElement key)
    {
        var metadata = new Dictionary<string, string>();
        if (key.GetStringOrNull("workspace_id") is { } workspace)
        {
            metadata[MistralConstants.WorkspaceIdMetadataKey] = workspace;
        }

        var expiresAt = key.GetTimestampOrNull("expiration_date");
        return new ProviderKeyInfo
        {
            ProviderKeyId = key.GetRequiredString("key_id", _admin.Provider),
            Name = key.GetStringOrNull("name"),
            // hidden_key is the masked value the console shows; a listed 'key' is only used when masked too.
            DisplayHint = key.GetStringOrNull("hidden_key") ?? (key.GetStringOrNull("key") is { } listed && IsMasked(listed) ? listed : null),
            Status = expiresAt is { } expiry && expiry <= _admin.Clock.GetCurrentInstant() ? ProviderKeyStatus.Expired : ProviderKeyStatus.Active,
            CreatedAt = key.GetTimestampOrNull("created_at"),
            ExpiresAt = expiresAt,
            Metadata = metadata,
        };
    }

    private static bool IsMasked(string value) => value.Contains('*', StringComparison.Ordinal) || value.Contains('…', StringComparison.Ordinal);
}
