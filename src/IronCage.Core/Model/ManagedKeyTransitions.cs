using NodaTime;

namespace IronCage;

/// <summary>
/// The changes a key's life cycle makes to a <see cref="ManagedKey"/>, as pure functions: each takes the key as read
/// and returns the key to store, or the same instance when there is nothing to do (the change already happened, for
/// example before a crash), so a caller that re-reads and re-applies after a concurrency conflict stays idempotent.
/// </summary>
public static class ManagedKeyTransitions
{
    /// <summary>Adds a new version in the <see cref="KeyStage.Pending"/> stage, unless a version with its id exists.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="pending">The new version.</param>
    /// <returns>The changed key, or <paramref name="key"/> when the version is already there.</returns>
    /// <exception cref="ArgumentException"><paramref name="pending"/> is not Pending.</exception>
    public static ManagedKey AddPending(ManagedKey key, KeyVersion pending)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(pending);
        if (pending.Stage != KeyStage.Pending)
        {
            throw new ArgumentException($"A new version is added as Pending, not {pending.Stage}.", nameof(pending));
        }

        return key.FindVersion(pending.VersionId) is null ? key.WithVersion(pending) : key;
    }

    /// <summary>
    /// Makes a version <see cref="KeyStage.Current"/> and the version that was Current <see cref="KeyStage.Previous"/>
    /// (still served during the grace period, unless <paramref name="killReplaced"/>).
    /// </summary>
    /// <param name="key">The managed key.</param>
    /// <param name="versionId">The version to promote.</param>
    /// <param name="now">The instant of promotion.</param>
    /// <param name="killReplaced">Whether the replaced version is killed at once (a compromised key is never served again).</param>
    /// <returns>The changed key, or <paramref name="key"/> when the version is already Current.</returns>
    /// <exception cref="IronCageException">The key has no such version.</exception>
    public static ManagedKey Promote(ManagedKey key, string versionId, Instant now, bool killReplaced)
    {
        var promoted = Require(key, versionId);
        if (promoted.Stage == KeyStage.Current)
        {
            return key;
        }

        var versions = key.Versions.Select(v => v.VersionId == versionId
            ? v with { Stage = KeyStage.Current, ActivatedAt = now }
            : v.Stage == KeyStage.Current
                ? v with { Stage = KeyStage.Previous, KilledAt = killReplaced ? v.KilledAt ?? now : v.KilledAt }
                : v);
        return key with { Versions = [.. versions] };
    }

    /// <summary>Kills a version locally: it is never served again, even where the provider cannot revoke it by API.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="versionId">The version.</param>
    /// <param name="now">The instant of the kill.</param>
    /// <returns>The changed key, or <paramref name="key"/> when the version was already killed.</returns>
    /// <exception cref="IronCageException">The key has no such version.</exception>
    public static ManagedKey Kill(ManagedKey key, string versionId, Instant now)
    {
        var version = Require(key, versionId);
        return version.KilledAt is null ? key.WithVersion(version with { KilledAt = now }) : key;
    }

    /// <summary>Marks a version <see cref="KeyStage.Revoked"/>.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="versionId">The version.</param>
    /// <param name="now">The instant of revocation.</param>
    /// <returns>The changed key, or <paramref name="key"/> when the version is missing or already revoked.</returns>
    public static ManagedKey MarkRevoked(ManagedKey key, string versionId, Instant now)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.FindVersion(versionId) is { } version && version.Stage != KeyStage.Revoked
            ? key.WithVersion(version with { Stage = KeyStage.Revoked, RevokedAt = now })
            : key;
    }

    /// <summary>Revokes a version that is still Pending (a rotation rolled back before promoting it).</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="versionId">The version.</param>
    /// <param name="now">The instant of revocation.</param>
    /// <returns>The changed key, or <paramref name="key"/> when the version is missing or not Pending.</returns>
    public static ManagedKey DiscardPending(ManagedKey key, string versionId, Instant now)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.FindVersion(versionId) is { Stage: KeyStage.Pending } pending
            ? key.WithVersion(pending with { Stage = KeyStage.Revoked, RevokedAt = now })
            : key;
    }

    /// <summary>
    /// Records that revoking a version at the provider failed for good (<see cref="KeyVersion.RevocationFailedAt"/>) and
    /// kills it, so at least IronCage stops serving a key that is still live at the provider.
    /// </summary>
    /// <param name="key">The managed key.</param>
    /// <param name="versionId">The version.</param>
    /// <param name="now">The instant of the failure.</param>
    /// <returns>The changed key, or <paramref name="key"/> when the version is missing or already marked.</returns>
    public static ManagedKey MarkRevocationFailed(ManagedKey key, string versionId, Instant now)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.FindVersion(versionId) is { RevocationFailedAt: null } version
            ? key.WithVersion(version with { KilledAt = version.KilledAt ?? now, RevocationFailedAt = now })
            : key;
    }

    /// <summary>
    /// Makes a revoked version Current again after the provider restored it (an undelete), when the key has no Current
    /// version. The version stays killed if it was: a person decides when it is served again.
    /// </summary>
    /// <param name="key">The managed key.</param>
    /// <param name="versionId">The version.</param>
    /// <returns>The changed key, or <paramref name="key"/> when the key has a Current version or the version is not Revoked.</returns>
    public static ManagedKey Restore(ManagedKey key, string versionId)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.CurrentVersion is null && key.FindVersion(versionId) is { Stage: KeyStage.Revoked } revoked
            ? key.WithVersion(revoked with { Stage = KeyStage.Current, RevokedAt = null })
            : key;
    }

    /// <summary>Records that an expiry warning was sent for a version (<see cref="KeyVersion.ExpiryWarnedAt"/>).</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="versionId">The version.</param>
    /// <param name="now">The instant of the warning.</param>
    /// <returns>The changed key, or <paramref name="key"/> when the version is missing or was already warned about.</returns>
    public static ManagedKey MarkExpiryWarned(ManagedKey key, string versionId, Instant now)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.FindVersion(versionId) is { ExpiryWarnedAt: null } version
            ? key.WithVersion(version with { ExpiryWarnedAt = now })
            : key;
    }

    private static KeyVersion Require(ManagedKey key, string versionId)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(versionId);
        return key.FindVersion(versionId) ?? throw new IronCageException($"Managed key '{key.Reference}' has no version '{versionId}'.");
    }
}
