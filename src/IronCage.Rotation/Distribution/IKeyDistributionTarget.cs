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

    /// <summary>Writes the new key to the target.</summary>
    /// <param name="distribution">The key, its new version and the new secret.</param>
    /// <param name="cancellationToken">Cancels the write; the rotation resumes later.</param>
    /// <returns>A task that completes when the target holds the new key.</returns>
    Task DistributeAsync(KeyDistribution distribution, CancellationToken cancellationToken = default);
}
