namespace IronCage.Rotation;

/// <summary>
/// A place a verified new key is written to before it is promoted (a file, a Key Vault secret, a Kubernetes Secret,
/// a gateway's BYOK slot), so consumers outside the host have it before the old key is retired. The engine calls every
/// registered target at <see cref="RotationStep.Distributed"/>, between verification and promotion; a target that
/// throws fails the step, and a rotation that cannot distribute is rolled back like any failure before promotion.
/// </summary>
/// <remarks>
/// Register targets with <c>AddKeyDistributionTarget</c>. With none registered the step is a no-op that is still
/// recorded. A target must be idempotent (a resumed rotation may call it again for the same version) and must never
/// log or otherwise reveal <see cref="KeyDistribution.Secret"/>.
/// </remarks>
public interface IKeyDistributionTarget
{
    /// <summary>Gets the target's name, recorded in the audit log (never a secret).</summary>
    string Name { get; }

    /// <summary>Returns whether this target holds a copy of <paramref name="key"/>.</summary>
    /// <param name="key">The managed key being rotated.</param>
    /// <returns><see langword="true"/> when the new key must be written to this target.</returns>
    bool AppliesTo(ManagedKey key);

    /// <summary>Writes the new key to the target and confirms that the target holds it.</summary>
    /// <param name="distribution">The key, its new version and the new secret.</param>
    /// <param name="cancellationToken">Cancels the write; the rotation resumes later.</param>
    /// <returns>The target's confirmation: returning at all means the target holds the new key.</returns>
    /// <remarks>
    /// Idempotent: a resumed rotation may call it again for the same version, and a target that already holds that
    /// value must confirm without writing a second copy (a second secret version, a second restart).
    /// </remarks>
    Task<KeyDistributionReceipt> DistributeAsync(KeyDistribution distribution, CancellationToken cancellationToken = default);

    /// <summary>Writes the previous value back when a rotation is rolled back after this target was written.</summary>
    /// <param name="previous">The key's version that stays current, with its secret.</param>
    /// <param name="cancellationToken">Cancels the write; the rollback resumes later.</param>
    /// <returns>A task that completes when the target holds the previous value again.</returns>
    /// <remarks>Idempotent like <see cref="DistributeAsync"/>.</remarks>
    Task RestoreAsync(KeyDistribution previous, CancellationToken cancellationToken = default);
}
