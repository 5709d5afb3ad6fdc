using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure.Identity;
using IronCage.Providers.Http;
using IronCage.Verification;
using Microsoft.Extensions.Logging;

namespace IronCage.Providers.AzureOpenAI;

/// <summary>
/// Manages the two keys (Key1, Key2) of Azure OpenAI / Azure AI Services accounts through Azure Resource Manager:
/// lists them and regenerates one slot while the other keeps working (the slot-alternating rotation tier), and
/// verifies a key on the account's data plane with the <c>api-key</c> header.
/// </summary>
internal sealed class AzureOpenAIProviderAdapter : ProviderAdapter
{
    private readonly ProviderConnections<AzureOpenAIProviderOptions> _connections;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IProviderCatalog _catalog;
    private readonly ICatalogKeyVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, AzureManagementClient> _clients = new(StringComparer.Ordinal);

    public AzureOpenAIProviderAdapter(ProviderConnections<AzureOpenAIProviderOptions> connections, IHttpClientFactory httpClientFactory, IProviderCatalog catalog, ICatalogKeyVerifier verifier, TimeProvider time, ILogger<AzureOpenAIProviderAdapter> logger)
    {
        _connections = connections;
        _httpClientFactory = httpClientFactory;
        _catalog = catalog;
        _verifier = verifier;
        _time = time;
        _logger = logger;
    }

    public override ProviderId Provider => ProviderId.AzureOpenAI;

    public override ProviderCapabilities Capabilities => ProviderCapabilities.List | ProviderCapabilities.Read | ProviderCapabilities.Regenerate | ProviderCapabilities.Verify;

    public override async IAsyncEnumerable<ProviderKeyInfo> ListKeysAsync(ProviderKeyContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (client, account) = Resolve(context);
        ProviderKeyInfo[] infos;
        using (var keys = await client.ListKeysAsync(account, cancellationToken).ConfigureAwait(false))
        {
            infos = [Describe(AzureOpenAIConstants.Key1, keys.Key1, account), Describe(AzureOpenAIConstants.Key2, keys.Key2, account)];
        }

        foreach (var info in infos)
        {
            yield return info;
        }
    }

    public override async Task<ProviderKeyInfo?> GetKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        if (CanonicalSlot(providerKeyId) is not { } slot)
        {
            return null;
        }

        var (client, account) = Resolve(context);
        using var keys = await client.ListKeysAsync(account, cancellationToken).ConfigureAwait(false);
        return Describe(slot, keys.Slot(slot), account);
    }

    public override async Task<CreatedProviderKey> RegenerateSlotAsync(ProviderKeyContext context, string slot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(slot);
        var canonical = CanonicalSlot(slot) ?? throw new ArgumentException($"Azure OpenAI accounts have the key slots {AzureOpenAIConstants.Key1} and {AzureOpenAIConstants.Key2}; '{slot}' is neither.", nameof(slot));
        var (client, account) = Resolve(context);
        SecretValue value;
        using (var keys = await client.RegenerateKeyAsync(account, canonical, cancellationToken).ConfigureAwait(false))
        {
            // listKeys and regenerateKey answer with both slots: only the regenerated one leaves this method.
            value = keys.Slot(canonical).Clone();
        }

        Log.SlotRegenerated(_logger, canonical, account, context.Key, value.DisplayHint);
        return new CreatedProviderKey(canonical, value)
        {
            Name = canonical,
            Metadata = new Dictionary<string, string> { ["slot"] = canonical, ["account"] = account.AccountName },
        };
    }

    public override Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(key);
        var (_, options) = _connections.Select(context);
        var endpoint = context.Scope.TryGetValue(AzureOpenAIConstants.EndpointScopeKey, out var scoped) && !string.IsNullOrWhiteSpace(scoped)
            ? scoped.TrimEnd('/')
            : options.Endpoint?.GetLeftPart(UriPartial.Authority)
                ?? throw new IronCageException($"Managed key '{context.Key}' has no '{AzureOpenAIConstants.EndpointScopeKey}' scope entry and its Azure OpenAI connection no Endpoint, so IronCage does not know where to verify the key. Set it to the account's data-plane address, such as https://my-resource.openai.azure.com.");
        return _verifier.VerifyAsync(ProviderId.AzureOpenAI, key, new KeyVerificationOptions { Kind = context.Kind, Parameters = new Dictionary<string, string> { [AzureOpenAIConstants.EndpointScopeKey] = endpoint } }, cancellationToken);
    }

    private static string? CanonicalSlot(string slot)
        => string.Equals(slot, AzureOpenAIConstants.Key1, StringComparison.OrdinalIgnoreCase) ? AzureOpenAIConstants.Key1
            : string.Equals(slot, AzureOpenAIConstants.Key2, StringComparison.OrdinalIgnoreCase) ? AzureOpenAIConstants.Key2
            : null;

    private static ProviderKeyInfo Describe(string slot, SecretValue value, AzureAccount account) => new()
    {
        ProviderKeyId = slot,
        Name = slot,
        DisplayHint = value.DisplayHint,
        Status = ProviderKeyStatus.Active,
        Metadata = new Dictionary<string, string> { ["slot"] = slot, ["account"] = account.AccountName },
    };

    private (AzureManagementClient Client, AzureAccount Account) Resolve(ProviderKeyContext context)
    {
        var (name, options) = _connections.Select(context);
        var account = new AzureAccount(
            Required(context, AzureOpenAIConstants.SubscriptionIdScopeKey, options.SubscriptionId),
            Required(context, AzureOpenAIConstants.ResourceGroupScopeKey, options.ResourceGroup),
            Required(context, AzureOpenAIConstants.AccountNameScopeKey, options.AccountName));
        var client = _clients.GetOrAdd(name, _ => new AzureManagementClient(
            _httpClientFactory.CreateClient(AzureOpenAIConstants.HttpClientName),
            new ProviderHttpCalls(_catalog.GetDescriptor(ProviderId.AzureOpenAI), name, options, _time),
            options.Credential ?? new DefaultAzureCredential(),
            options,
            _logger));
        return (client, account);
    }

    private static string Required(ProviderKeyContext context, string scopeKey, string? fallback)
        => context.Scope.TryGetValue(scopeKey, out var value) && !string.IsNullOrWhiteSpace(value) ? value
            : !string.IsNullOrWhiteSpace(fallback) ? fallback
            : throw new IronCageException($"Managed key '{context.Key}' has no '{scopeKey}' scope entry and its Azure OpenAI connection no default for it. Register the key with scope entries '{AzureOpenAIConstants.SubscriptionIdScopeKey}', '{AzureOpenAIConstants.ResourceGroupScopeKey}' and '{AzureOpenAIConstants.AccountNameScopeKey}', or set them on AddAzureOpenAI(name, o => …).");
}
