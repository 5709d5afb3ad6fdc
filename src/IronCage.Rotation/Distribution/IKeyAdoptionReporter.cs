namespace IronCage.Rotation;

/// <summary>
/// A consumer outside the host instances that can say whether it has moved to a new key version (a Kubernetes
/// Deployment whose rollout finished, a gateway that reports the secret version it loaded). With
/// <see cref="RotationOptions.WaitForAdoption"/> on, the old key is not revoked before every reporter that applies to
/// the key says it adopted the new version (or the grace period, the ceiling, ends).
/// </summary>
/// <remarks>
/// Optional and additive: implement it on an <see cref="IKeyDistributionTarget"/> (the engine asks every registered
/// target that implements it), or register it on its own with <c>AddKeyAdoptionReporter</c>. A reporter that throws
/// counts as not adopted yet.
/// </remarks>
public interface IKeyAdoptionReporter
{
    /// <summary>Gets the consumer's name, shown in what the rotation waits for (never a secret).</summary>
    string Name { get; }

    /// <summary>Returns whether this consumer uses <paramref name="key"/>.</summary>
    /// <param name="key">The managed key being rotated.</param>
    /// <returns><see langword="true"/> when the rotation must wait for this consumer.</returns>
    bool AppliesTo(ManagedKey key);

    /// <summary>Returns whether the consumer has moved to <paramref name="versionId"/> and no longer uses older versions.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="versionId">The new current version.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns><see langword="true"/> when the consumer adopted the version.</returns>
    ValueTask<bool> HasAdoptedAsync(ManagedKey key, string versionId, CancellationToken cancellationToken = default);
}
