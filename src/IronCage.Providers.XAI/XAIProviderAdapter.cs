using IronCage.Providers.Http;
using IronCage.Providers.XAI.Internal;
using IronCage.Verification;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Providers.XAI;

/// <summary>
/// xAI's key management as its Management API allows it (PROVIDERS.md §7), with a management key: keys are created in
/// the connection's team with its ACLs, listed (a key is read by listing: there is no documented read by id) and
/// deleted; inference keys are verified with <c>GET /v1/api-key</c>, where a disabled or blocked key or team is not
/// valid. xAI documents no expiry, no disable and no rotate call: a rotation creates, verifies, promotes and deletes.
/// </summary>
internal sealed class XAIProviderAdapter : ProviderAdapter
{
    private const string ManagementKeyOption = nameof(XAIProviderOptions) + "." + nameof(XAIProviderOptions.ManagementKey);
    private readonly ProviderConnections<XAIProviderOptions> _connections;
    private readonly Lazy<XAIClient> _client;
    private readonly ILogger<XAIProviderAdapter> _logger;

    public XAIProviderAdapter(IHttpClientFactory httpClientFactory, ProviderConnections<XAIProviderOptions> connections, IProviderCatalog catalog, IClock clock, TimeProvider time, ILogger<XAIProviderAdapter> logger)
    {
        _connections = connections;
        _logger = logger;
        // The descriptor is the host catalog's (its auth and error rules), read when first needed.
        _client = new(() => new XAIClient(new ProviderHttp(httpClientFactory, XAIConstants.HttpClientName, catalog.GetDescriptor(ProviderId.XAI), clock, time)));
    }

    public override ProviderId Provider => ProviderId.XAI;

    public override ProviderCapabilities Capabilities
        => ProviderCapabilities.Create | ProviderCapabilities.List | ProviderCapabilities.Read | ProviderCapabilities.Delete | ProviderCapabilities.Verify;

    public override async Task<CreatedProviderKey> CreateKeyAsync(CreateProviderKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (endpoint, options) = Endpoint(request.Context);
        IReadOnlyList<string> acls = options.Acls.Count > 0 ? [.. options.Acls] : [XAIConstants.AllModelsAcl, XAIConstants.AllEndpointsAcl];

        // Sent once: after an unclear failure the rotation engine finds a key the provider did create by its name.
        var created = await _client.Value.CreateAsync(endpoint, options.TeamId!, request.Name, acls, cancellationToken).ConfigureAwait(false);
        Log.KeyCreated(_logger, created.ProviderKeyId, created.Secret.DisplayHint, request.Context.Key, options.TeamId!, endpoint.Connection);
        return created;
    }

    public override IAsyncEnumerable<ProviderKeyInfo> ListKeysAsync(ProviderKeyContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (endpoint, options) = Endpoint(context);
        return _client.Value.ListAsync(endpoint, options.TeamId!, cancellationToken);
    }

    /// <summary>Finds the key by listing the team's keys: the Management API documents no read by id.</summary>
    public override async Task<ProviderKeyInfo?> GetKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        await foreach (var key in ListKeysAsync(context, cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(key.ProviderKeyId, providerKeyId, StringComparison.Ordinal))
            {
                return key;
            }
        }

        return null;
    }

    public override Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(key);
        var (endpoint, options) = Endpoint(context);
        return _client.Value.VerifyAsync(endpoint, options.InferenceAddress, key, context.Kind, cancellationToken);
    }

    public override async Task DeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        var (endpoint, _) = Endpoint(context);
        if (await _client.Value.DeleteAsync(endpoint, providerKeyId, cancellationToken).ConfigureAwait(false))
        {
            Log.KeyDeleted(_logger, providerKeyId, context.Key, endpoint.Connection);
        }
    }

    private (ProviderEndpoint Endpoint, XAIProviderOptions Options) Endpoint(ProviderKeyContext context)
    {
        var (name, options) = _connections.Select(context);
        return (new ProviderEndpoint(name, options, options.ManagementKey ?? string.Empty, ManagementKeyOption), options);
    }
}
