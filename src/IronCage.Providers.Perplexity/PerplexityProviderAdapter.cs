using IronCage.Providers.Http;
using IronCage.Providers.Perplexity.Internal;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Providers.Perplexity;

/// <summary>
/// Perplexity's key API as documented (PROVIDERS.md §15), authenticated with an existing key of the API group: keys are
/// created with <c>POST /generate_auth_token</c> (named with <c>token_name</c>) and revoked with
/// <c>POST /revoke_auth_token</c>, which takes the full key: the rotation engine hands this adapter the retired
/// version's value through <see cref="ISecretRevokingProviderAdapter"/>. There is no list, read, expiry or free
/// verification call, so this adapter claims none.
/// </summary>
internal sealed class PerplexityProviderAdapter : ProviderAdapter, ISecretRevokingProviderAdapter
{
    private const string ManagementKeyOption = nameof(PerplexityProviderOptions) + "." + nameof(PerplexityProviderOptions.ManagementKey);
    private readonly ProviderConnections<PerplexityProviderOptions> _connections;
    private readonly Lazy<PerplexityClient> _client;
    private readonly ILogger<PerplexityProviderAdapter> _logger;

    public PerplexityProviderAdapter(IHttpClientFactory httpClientFactory, ProviderConnections<PerplexityProviderOptions> connections, IProviderCatalog catalog, IClock clock, TimeProvider time, ILogger<PerplexityProviderAdapter> logger)
    {
        _connections = connections;
        _logger = logger;
        // The descriptor is the host catalog's (its auth and error rules), read when first needed.
        _client = new(() => new PerplexityClient(new ProviderHttp(httpClientFactory, PerplexityConstants.HttpClientName, catalog.GetDescriptor(ProviderId.Perplexity), clock, time)));
    }

    public override ProviderId Provider => ProviderId.Perplexity;

    public override ProviderCapabilities Capabilities => ProviderCapabilities.Create | ProviderCapabilities.Delete;

    public override async Task<CreatedProviderKey> CreateKeyAsync(CreateProviderKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var endpoint = Endpoint(request.Context);
        // Sent once: Perplexity has no list, so a create that failed unclearly cannot be found again; revoke it in the console.
        var created = await _client.Value.CreateAsync(endpoint, request.Name, cancellationToken).ConfigureAwait(false);
        Log.KeyCreated(_logger, created.ProviderKeyId, created.Secret.DisplayHint, request.Context.Key, endpoint.Connection);
        return created;
    }

    /// <summary>Perplexity revokes by value only: without it, this throws and says so (the engine calls <see cref="RevokeKeyAsync"/>).</summary>
    public override Task DeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
        => throw new NotSupportedByProviderException(Provider, ProviderCapabilities.Delete, $"Perplexity revokes a key by its value, not by its name '{providerKeyId}': IronCage revokes it during a rotation with the sealed value, or revoke it at https://www.perplexity.ai/account/api/keys.");

    public async Task RevokeKeyAsync(ProviderKeyContext context, string providerKeyId, SecretValue secret, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        ArgumentNullException.ThrowIfNull(secret);
        var endpoint = Endpoint(context);
        await _client.Value.RevokeAsync(endpoint, providerKeyId, secret, cancellationToken).ConfigureAwait(false);
        Log.KeyRevoked(_logger, providerKeyId, secret.DisplayHint, context.Key, endpoint.Connection);
    }

    private ProviderEndpoint Endpoint(ProviderKeyContext context)
    {
        var (name, options) = _connections.Select(context);
        return new ProviderEndpoint(name, options, options.ManagementKey ?? string.Empty, ManagementKeyOption);
    }
}
