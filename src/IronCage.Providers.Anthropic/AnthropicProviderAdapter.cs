using IronCage.Providers.Anthropic.Internal;
using IronCage.Providers.Http;
using IronCage.Verification;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Providers.Anthropic;

/// <summary>
/// Anthropic's key management as its API allows it (PROVIDERS.md §2): keys are listed, read and deactivated (status
/// <c>inactive</c>, or <c>archived</c> with <see cref="AnthropicProviderOptions.ArchiveOnDeactivate"/>). There is no create
/// or delete by API, so keys rotate semi-automatically: a person creates the new key in the Console and supplies it
/// (<c>IKeyRotator.SupplyNewKeyAsync</c>); the engine finds its id by listing and matching <c>partial_key_hint</c>.
/// </summary>
internal sealed class AnthropicProviderAdapter : ProviderAdapter
{
    private const string AdminKeyOption = nameof(AnthropicProviderOptions) + "." + nameof(AnthropicProviderOptions.AdminKey);
    private readonly ProviderConnections<AnthropicProviderOptions> _connections;
    private readonly Lazy<AnthropicClient> _client;
    private readonly ILogger<AnthropicProviderAdapter> _logger;

    public AnthropicProviderAdapter(IHttpClientFactory httpClientFactory, ProviderConnections<AnthropicProviderOptions> connections, IProviderCatalog catalog, IClock clock, TimeProvider time, ILogger<AnthropicProviderAdapter> logger)
    {
        _connections = connections;
        _logger = logger;
        // The descriptor is the host catalog's (its auth and error rules), read when first needed.
        _client = new(() => new AnthropicClient(new ProviderHttp(httpClientFactory, AnthropicConstants.HttpClientName, catalog.GetDescriptor(ProviderId.Anthropic), clock, time)));
    }

    public override ProviderId Provider => ProviderId.Anthropic;

    public override ProviderCapabilities Capabilities
        => ProviderCapabilities.List | ProviderCapabilities.Read | ProviderCapabilities.Deactivate | ProviderCapabilities.Expiry | ProviderCapabilities.Verify;

    public override IAsyncEnumerable<ProviderKeyInfo> ListKeysAsync(ProviderKeyContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _client.Value.ListAsync(Endpoint(context).Endpoint, ScopeValue(context, AnthropicConstants.WorkspaceIdScopeKey), ScopeValue(context, AnthropicConstants.CreatedByUserIdScopeKey), cancellationToken);
    }

    public override Task<ProviderKeyInfo?> GetKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        return _client.Value.GetAsync(Endpoint(context).Endpoint, providerKeyId, cancellationToken);
    }

    public override Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(key);
        return _client.Value.VerifyAsync(Endpoint(context).Endpoint, key, context.Kind, cancellationToken);
    }

    public override async Task DeactivateKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        var (endpoint, archive) = Endpoint(context);
        var current = await _client.Value.GetAsync(endpoint, providerKeyId, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            throw new ProviderRequestException(Provider, ProviderErrorKind.NotFound, $"{Provider}: API key {providerKeyId} of '{context.Key}' does not exist in the organization of connection '{endpoint.Connection}'.") { StatusCode = 404 };
        }

        // An archived or expired key is already unusable, and Anthropic refuses to change an archived one.
        if (current.Status is ProviderKeyStatus.Deleted or ProviderKeyStatus.Expired || (current.Status == ProviderKeyStatus.Inactive && !archive))
        {
            Log.AlreadyRetired(_logger, providerKeyId, context.Key, current.Status);
            return;
        }

        var status = archive ? "archived" : "inactive";
        await _client.Value.UpdateAsync(endpoint, providerKeyId, name: null, status, cancellationToken).ConfigureAwait(false);
        Log.StatusChanged(_logger, providerKeyId, context.Key, status, endpoint.Connection);
    }

    private static string? ScopeValue(ProviderKeyContext context, string key)
        => context.Scope.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    private (ProviderEndpoint Endpoint, bool Archive) Endpoint(ProviderKeyContext context)
    {
        var (name, options) = _connections.Select(context);
        return (new ProviderEndpoint(name, options, options.AdminKey ?? string.Empty, AdminKeyOption), options.ArchiveOnDeactivate);
    }
}
