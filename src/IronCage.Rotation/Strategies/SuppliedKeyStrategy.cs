using IronCage.Providers;

namespace IronCage.Rotation;

/// <summary>
/// The <see cref="RotationTier.SemiAutomatic"/> and <see cref="RotationTier.Manual"/> tiers: a person creates the new
/// key in the provider's console and supplies it. Semi-automatic providers (Anthropic) can list and deactivate keys,
/// so the supplied key is identified at the provider, and the old one (or a supplied key that is rolled back) is
/// retired there; on the manual tier a person retires the old key in the console and IronCage stops serving it.
/// </summary>
internal sealed class SuppliedKeyStrategy : IRotationStrategy
{
    private readonly RotationProviders _providers;
    private readonly bool _atProvider;

    private SuppliedKeyStrategy(RotationProviders providers, RotationTier tier, bool atProvider)
    {
        _providers = providers;
        _atProvider = atProvider;
        Tiers = [tier];
    }

    public IReadOnlyList<RotationTier> Tiers { get; }

    public bool AwaitsSuppliedKey => true;

    public bool CreatesNamedKeys => false;

    public bool AcceptsUnverifiable => !_atProvider;

    public bool RetiresAtProvider => _atProvider;

    public static SuppliedKeyStrategy SemiAutomatic(RotationProviders providers) => new(providers, RotationTier.SemiAutomatic, atProvider: true);

    public static SuppliedKeyStrategy Manual(RotationProviders providers) => new(providers, RotationTier.Manual, atProvider: false);

    public async Task<ObtainedKey> ObtainAsync(RotationStrategyContext context, SecretValue? supplied, CancellationToken cancellationToken)
    {
        if (supplied is null)
        {
            throw new IronCageException($"Rotation {context.Operation.OperationId} of '{context.Key.Reference}' waits for a person to create the new key at {_providers.ConsoleUrl(context.Key.Provider)} and supply it.");
        }

        if (!_atProvider)
        {
            return new ObtainedKey(supplied, providerKeyId: null, expiresAt: null, slot: null, owner: null);
        }

        var found = await _providers.FindListedKeyAsync(context.Provider, supplied, cancellationToken).ConfigureAwait(false);
        return new ObtainedKey(supplied, found.ProviderKeyId, found.ExpiresAt, slot: null, owner: null);
    }

    public Task DiscardAsync(RotationStrategyContext context, string providerKeyId, CancellationToken cancellationToken)
        => _atProvider && context.Adapter is { } adapter
            ? ProviderKeyRetirement.RetireAsync(adapter, context.Provider, providerKeyId, cancellationToken)
            : Task.CompletedTask;

    public Task RetireAsync(RotationStrategyContext context, KeyVersion? previous, string providerKeyId, CancellationToken cancellationToken)
        => DiscardAsync(context, providerKeyId, cancellationToken);

    public Task<bool> RestoreAsync(RotationStrategyContext context, string providerKeyId, CancellationToken cancellationToken) => Task.FromResult(false);
}
