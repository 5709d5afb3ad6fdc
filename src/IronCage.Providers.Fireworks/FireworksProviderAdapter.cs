using IronCage.Providers.Fireworks.Internal;
using IronCage.Providers.Http;
using IronCage.Verification;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Providers.Fireworks;

/// <summary>
/// Fireworks AI's API keys as the Gateway REST API allows (PROVIDERS.md §8), with an existing API key: keys are created
/// for the connection's user (or a service-account user) with the policy's key lifetime as <c>expireTime</c>, listed
/// (page tokens) and deleted with <c>POST …/apiKeys:delete</c>. There is no read of one key and no disable. Verified with
/// <c>GET /inference/v1/models</c>.
/// </summary>
internal sealed class FireworksProviderAdapter : ProviderAdapter
{
    private const string ManagementKeyOption = nameof(FireworksProviderOptions) + "." + nameof(FireworksProviderOptions.ManagementKey);
    private readonly ProviderConnections<FireworksProviderOptions> _connections;
    private readonly Lazy<FireworksClient> _client;
    private readonly ILogger<FireworksProviderAdapter> _logger;

    public FireworksProviderAdapter(IHttpClientFactory httpClientFactory, ProviderConnections<FireworksProviderOptions> connections, IProviderCatalog catalog, IClock clock, TimeProvider time, ILogger<FireworksProviderAdapter> logger)
    {
        _connections = connections;
        _logger = logger;
        // The descriptor is the host catalog's (its auth and error rules), read when first needed.
        _client = new(() => new FireworksClient(new ProviderHttp(httpClientFactory, FireworksConstants.HttpClientName, catalog.GetDescriptor(ProviderId.Fireworks), clock, time)));
    }

    public override ProviderId Provider => ProviderId.Fireworks;

    public override ProviderCapabilities Capabilities
        => ProviderCapabilities.Create | ProviderCapabilities.List | ProviderCapabilities.Delete | ProviderCapabilities.Expiry | ProviderCapabilities.Verify;

    public override async Task<CreatedProviderKey> CreateKeyAsync(CreateProviderKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = request.Context;
        var (endpoint, owner) = Connection(context);
        var created = await _client.Value.CreateAsync(endpoint, owner, request.Name, request.ExpiresAt, cancellationToken).ConfigureAwait(false);
        Log.KeyCreated(_logger, created.ProviderKeyId, created.Secret.DisplayHint, created.ExpiresAt is { } expiry ? ProviderJson.Format(expiry) : "never", context.Key, endpoint.Connection);
        return created;
    }

    public override IAsyncEnumerable<ProviderKeyInfo> ListKeysAsync(ProviderKeyContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (endpoint, owner) = Connection(context);
        return _client.Value.ListAsync(endpoint, owner, cancellationToken);
    }

    public override Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(key);
        return _client.Value.VerifyAsync(Connection(context).Endpoint, key, cancellationToken);
    }

    public override async Task DeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        var (endpoint, owner) = Connection(context);
        if (await _client.Value.DeleteAsync(endpoint, owner, providerKeyId, cancellationToken).ConfigureAwait(false))
        {
            Log.KeyDeleted(_logger, providerKeyId, context.Key, endpoint.Connection);
        }
        else
        {
            Log.KeyAlreadyGone(_logger, providerKeyId, context.Key, endpoint.Connection);
        }
    }

    private (ProviderEndpoint Endpoint, FireworksKeyOwner Owner) Connection(ProviderKeyContext context)
    {
        var (name, options) = _connections.Select(context);
        var user = options.UserId ?? string.Empty;
        if (context.Scope.TryGetValue(FireworksConstants.UserIdScopeKey, out var scoped) && !string.IsNullOrWhiteSpace(scoped))
        {
            user = FireworksProviderOptionsValidator.IsPathId(scoped) ? scoped
                : throw new IronCageException($"Managed key '{context.Key}' has the scope entry '{FireworksConstants.UserIdScopeKey}' = '{scoped}', which is not a plain Fireworks user id; fix the entry.");
        }

        return (new ProviderEndpoint(name, options, options.ManagementKey ?? string.Empty, ManagementKeyOption), new FireworksKeyOwner(options.AccountId ?? string.Empty, user));
    }
}
