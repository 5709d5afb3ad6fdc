using System.Globalization;
using System.Text.Json.Nodes;
using IronCage.Providers.Http;

namespace IronCage.Providers.Perplexity.Internal;

/// <summary>Perplexity's key API (PROVIDERS.md §15): <c>POST /generate_auth_token</c> and <c>POST /revoke_auth_token</c>, bearer with an existing key.</summary>
internal sealed class PerplexityClient
{
    private readonly ProviderHttp _http;

    public PerplexityClient(ProviderHttp http) => _http = http;

    public ProviderId Provider => _http.Provider;

    public async Task<CreatedProviderKey> CreateAsync(ProviderEndpoint endpoint, string tokenName, CancellationToken cancellationToken)
    {
        var body = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Post, endpoint.Resolve("generate_auth_token"), "create key") { Body = new JsonObject { ["token_name"] = tokenName }, Idempotent = false }, cancellationToken).ConfigureAwait(false)
            ?? throw new IronCageException("Perplexity answered a create with an empty body; retry later.");
        // Perplexity has no key id: the token name IronCage chose is the key's provider-side name.
        var name = body.GetStringOrNull("token_name") is { Length: > 0 } answered ? answered : tokenName;
        var metadata = new Dictionary<string, string>();
        if (body.GetInt64OrNull("created_at_epoch_seconds") is { } created)
        {
            metadata[PerplexityConstants.CreatedAtMetadataKey] = created.ToString(CultureInfo.InvariantCulture);
        }

        var secret = body.GetStringOrNull("auth_token") is { Length: > 0 } value
            ? SecretValue.FromString(value)
            : throw new IronCageException($"Perplexity created key '{name}' without returning its value; revoke it at {_http.Descriptor.ConsoleUrl} and retry.");
        return new CreatedProviderKey(name, secret) { Name = name, Metadata = metadata };
    }

    /// <summary>
    /// Revokes a key by its value. The body carries the secret, and an error answer might echo it: the provider's
    /// message is withheld and the exception rebuilt from the classification alone.
    /// </summary>
    public async Task RevokeAsync(ProviderEndpoint endpoint, string tokenName, SecretValue secret, CancellationToken cancellationToken)
    {
        var call = new ProviderCall(HttpMethod.Post, endpoint.Resolve("revoke_auth_token"), "revoke key") { Body = new JsonObject { ["auth_token"] = secret.Reveal() } };
        try
        {
            await _http.SendAsync(endpoint, call, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderRequestException ex)
        {
            var status = ex.StatusCode is { } code ? string.Create(CultureInfo.InvariantCulture, $" (HTTP {code})") : string.Empty;
            throw new ProviderRequestException(Provider, ex.Kind, $"Perplexity refused to revoke key '{tokenName}': {ex.Kind}{status}. The provider's own message is withheld because it may echo the key. Check {endpoint.CredentialOption} of connection '{endpoint.Connection}', or revoke the key at {_http.Descriptor.ConsoleUrl}.")
            {
                StatusCode = ex.StatusCode,
                RetryAfter = ex.RetryAfter,
                IsAmbiguous = ex.IsAmbiguous,
                AlternativeKind = ex.AlternativeKind,
            };
        }
    }
}
