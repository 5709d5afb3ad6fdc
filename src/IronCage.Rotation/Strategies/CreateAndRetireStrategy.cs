using IronCage.Providers;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The <see cref="RotationTier.Automatic"/> and <see cref="RotationTier.CreateThenDelete"/> tiers: the provider creates
/// a new, named key; rollback and retirement delete (or deactivate) a key by id; a key deleted first can be undeleted
/// where the provider soft-deletes (Google).
/// </summary>
internal sealed class CreateAndRetireStrategy : IRotationStrategy
{
    private readonly IClock _clock;
    private readonly SecretSealer? _sealer;

    /// <param name="clock">The clock for new keys' expiry.</param>
    /// <param name="sealer">Unseals a version's value for a provider that revokes by value (none in unit tests of other providers).</param>
    public CreateAndRetireStrategy(IClock clock, SecretSealer? sealer = null)
    {
        _clock = clock;
        _sealer = sealer;
    }

    public IReadOnlyList<RotationTier> Tiers { get; } = [RotationTier.Automatic, RotationTier.CreateThenDelete];

    public bool AwaitsSuppliedKey => false;

    public bool CreatesNamedKeys => true;

    public bool AcceptsUnverifiable => false;

    public bool RetiresAtProvider => true;

    public async Task<ObtainedKey> ObtainAsync(RotationStrategyContext context, SecretValue? supplied, CancellationToken cancellationToken)
    {
        if (supplied is not null)
        {
            throw new IronCageException($"Managed key '{context.Key.Reference}' rotates with the {context.Operation.Tier} strategy, which creates its own keys: use RotateAsync.");
        }

        var adapter = context.RequireAdapter();
        var expiresAt = context.Key.Policy.KeyLifetime is { } lifetime && adapter.Capabilities.HasFlag(ProviderCapabilities.Expiry)
            ? _clock.GetCurrentInstant() + lifetime
            : (Instant?)null;
        var created = await adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = context.Provider, Name = context.Operation.ProviderKeyName!, ExpiresAt = expiresAt, Limits = context.Key.Limits }, cancellationToken).ConfigureAwait(false);
        return ObtainedKey.Created(created, slot: null);
    }

    public Task DiscardAsync(RotationStrategyContext context, string providerKeyId, CancellationToken cancellationToken)
    {
        // Only the new key of this operation has a sealed value here (a provider that revokes by value needs it): in the
        // operation until it is stored as Pending, then in the pending version (a failed verification rolls back from there).
        var operation = context.Operation;
        Func<CancellationToken, ValueTask<SecretValue>>? open = null;
        if (_sealer is { } sealer && operation.NewProviderKeyId == providerKeyId)
        {
            if (operation.NewSecret is { } sealedSecret)
            {
                open = token => sealer.OpenAsync(sealedSecret, operation.Key, operation.NewVersionId, token);
            }
            else if (context.Key.FindVersion(operation.NewVersionId) is { } pending && pending.ProviderKeyId == providerKeyId)
            {
                open = token => sealer.OpenAsync(pending, operation.Key, token);
            }
        }

        return ProviderKeyRetirement.RetireAsync(context.RequireAdapter(), context.Provider, providerKeyId, open, cancellationToken);
    }

    public Task RetireAsync(RotationStrategyContext context, KeyVersion? previous, string providerKeyId, CancellationToken cancellationToken)
    {
        var key = context.Operation.Key;
        Func<CancellationToken, ValueTask<SecretValue>>? open = _sealer is { } sealer && previous is { } version ? token => sealer.OpenAsync(version, key, token) : null;
        return ProviderKeyRetirement.RetireAsync(context.RequireAdapter(), context.Provider, providerKeyId, open, cancellationToken);
    }

    public async Task<bool> RestoreAsync(RotationStrategyContext context, string providerKeyId, CancellationToken cancellationToken)
    {
        if (context.Adapter is not { } adapter || !adapter.Capabilities.HasFlag(ProviderCapabilities.Undelete))
        {
            return false;
        }

        await adapter.UndeleteKeyAsync(context.Provider, providerKeyId, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
