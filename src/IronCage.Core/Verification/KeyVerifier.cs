using IronCage.Providers;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Verification;

/// <summary>
/// The one verification path behind <see cref="IKeyVerifier"/>: the provider's adapter when one is registered that
/// declares <see cref="ProviderCapabilities.Verify"/>, the catalog's verify call (<see cref="ICatalogKeyVerifier"/>)
/// otherwise.
/// </summary>
/// <remarks>
/// Adapters are resolved on first use, not injected: an adapter may itself depend on the verifiers, and resolving
/// them in the constructor would make a cycle. A call that re-enters for the provider whose adapter is verifying (an
/// adapter that calls <see cref="IKeyVerifier"/> from its own verification) goes to the catalog instead of looping.
/// </remarks>
internal sealed class KeyVerifier : IKeyVerifier
{
    // A key verified before it is registered has no managed name; the adapter sees this one in its messages.
    private const string UnmanagedKeyName = "unmanaged";

    private static readonly AsyncLocal<ProviderId?> VerifyingAdapter = new();

    private readonly ICatalogKeyVerifier _catalog;
    private readonly Lazy<IReadOnlyDictionary<ProviderId, IProviderAdapter>> _adapters;

    public KeyVerifier(ICatalogKeyVerifier catalog, IServiceProvider services)
    {
        _catalog = catalog;
        _adapters = new Lazy<IReadOnlyDictionary<ProviderId, IProviderAdapter>>(() => Verifying(services.GetServices<IProviderAdapter>()));
    }

    public Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(key);
        var provider = context.Key.Provider;
        return AdapterFor(provider) is { } adapter
            ? WithAdapterAsync(adapter, context, key, cancellationToken)
            : _catalog.VerifyAsync(provider, key, new KeyVerificationOptions { Kind = context.Kind, Parameters = context.Scope }, cancellationToken);
    }

    public Task<KeyVerificationResult> VerifyAsync(ProviderId provider, SecretValue key, KeyVerificationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        options ??= new KeyVerificationOptions();

        // A base address names where the catalog's call goes; an adapter verifies against its own connection.
        if (options.BaseAddress is not null || AdapterFor(provider) is not { } adapter)
        {
            return _catalog.VerifyAsync(provider, key, options, cancellationToken);
        }

        var context = new ProviderKeyContext
        {
            Key = new KeyReference(provider, UnmanagedKeyName),
            Kind = options.Kind,
            Scope = options.Parameters ?? new Dictionary<string, string>(),
        };
        return WithAdapterAsync(adapter, context, key, cancellationToken);
    }

    private static Dictionary<ProviderId, IProviderAdapter> Verifying(IEnumerable<IProviderAdapter> adapters)
    {
        // The last registration for a provider wins, as it does for the rotation engine.
        var byProvider = new Dictionary<ProviderId, IProviderAdapter>();
        foreach (var adapter in adapters)
        {
            byProvider[adapter.Provider] = adapter;
        }

        return byProvider.Where(p => p.Value.Capabilities.HasFlag(ProviderCapabilities.Verify)).ToDictionary(p => p.Key, p => p.Value);
    }

    private static async Task<KeyVerificationResult> WithAdapterAsync(IProviderAdapter adapter, ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken)
    {
        // Set inside this async method, the marker flows into the adapter's call and is gone when it returns.
        VerifyingAdapter.Value = adapter.Provider;
        return await adapter.VerifyAsync(context, key, cancellationToken).ConfigureAwait(false);
    }

    private IProviderAdapter? AdapterFor(ProviderId provider)
        => VerifyingAdapter.Value != provider && _adapters.Value.TryGetValue(provider, out var adapter) ? adapter : null;
}
