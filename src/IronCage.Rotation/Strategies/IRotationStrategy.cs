using IronCage.Providers;

namespace IronCage.Rotation;

/// <summary>
/// What differs per rotation tier, behind one interface: how a new key is obtained, how a new key that will not be
/// promoted is discarded (rollback), how the old key is retired after grace, and how a key revoked first is restored.
/// The engine runs the persisted steps and knows nothing of tiers; a new tier is a new implementation.
/// </summary>
internal interface IRotationStrategy
{
    /// <summary>Gets the tiers this strategy serves.</summary>
    IReadOnlyList<RotationTier> Tiers { get; }

    /// <summary>Gets a value indicating whether a person supplies the new key (the operation waits at <see cref="RotationStep.AwaitingNewKey"/>).</summary>
    bool AwaitsSuppliedKey { get; }

    /// <summary>
    /// Gets a value indicating whether obtaining creates a new, named key at the provider: a create whose answer was
    /// lost may have left a key there, which the engine looks for by name (create ambiguity is the engine's).
    /// </summary>
    bool CreatesNamedKeys { get; }

    /// <summary>Gets a value indicating whether a key the provider cannot verify is accepted on a person's word (the manual tier: a person recorded it).</summary>
    bool AcceptsUnverifiable { get; }

    /// <summary>Gets a value indicating whether retiring calls the provider (otherwise a person retires the old key in the console).</summary>
    bool RetiresAtProvider { get; }

    /// <summary>
    /// Gets a value indicating whether nothing can revoke a key of this tier and it dies at its own expiry (generated
    /// keys): a grace period never outlasts the old key's expiry, and its retirement says how long it stays valid.
    /// </summary>
    bool OldKeyLivesUntilExpiry => false;

    /// <summary>Obtains the new key: creates it, regenerates the free slot, or identifies the key a person supplied.</summary>
    /// <param name="context">The operation and its key.</param>
    /// <param name="supplied">The key a person supplied, for strategies that await one; otherwise <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new key; the caller disposes it.</returns>
    Task<ObtainedKey> ObtainAsync(RotationStrategyContext context, SecretValue? supplied, CancellationToken cancellationToken);

    /// <summary>Removes a new key that will never be promoted (rollback, a lost race, an orphan of an interrupted create).</summary>
    /// <param name="context">The operation and its key.</param>
    /// <param name="providerKeyId">The new key's provider-side id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task DiscardAsync(RotationStrategyContext context, string providerKeyId, CancellationToken cancellationToken);

    /// <summary>Retires the old key at the provider (delete, deactivate, regenerate its slot).</summary>
    /// <param name="context">The operation and its key.</param>
    /// <param name="previous">The old version, if the key store still has it.</param>
    /// <param name="providerKeyId">The old key's provider-side id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task RetireAsync(RotationStrategyContext context, KeyVersion? previous, string providerKeyId, CancellationToken cancellationToken);

    /// <summary>Restores an old key that was revoked first (undelete), when the provider allows it.</summary>
    /// <param name="context">The operation and its key.</param>
    /// <param name="providerKeyId">The old key's provider-side id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when this tier cannot restore a key.</returns>
    Task<bool> RestoreAsync(RotationStrategyContext context, string providerKeyId, CancellationToken cancellationToken);
}
