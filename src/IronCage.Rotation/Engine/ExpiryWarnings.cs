using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The engine's expiry-warning command: raises <see cref="KeyExpiringSoon"/> once per version whose provider-side expiry
/// is within the warning lead (<see cref="ManagedKeyDue.ExpiringVersions"/>). The warning is recorded on the version
/// (<see cref="KeyVersion.ExpiryWarnedAt"/>) before it is sent, through the key's concurrency token, so it is never sent
/// twice; a crash between the two loses one warning rather than repeating it.
/// </summary>
internal sealed class ExpiryWarnings(ManagedKeyWriter keys, RotationEventPublisher events, IOptions<IronCageOptions> options)
{
    private readonly Duration _defaultLead = options.Value.DefaultExpiryWarningLead;

    /// <summary>Whether <paramref name="key"/> has a version to warn about at <paramref name="now"/>.</summary>
    public bool IsDue(ManagedKey key, Instant now) => ManagedKeyDue.ExpiringVersions(key, now, _defaultLead).Count > 0;

    /// <summary>Records and sends the expiry warnings <paramref name="key"/> is owed at <paramref name="now"/>.</summary>
    /// <returns>How many warnings were sent.</returns>
    public async Task<int> WarnAsync(KeyReference key, Instant now, CancellationToken cancellationToken)
    {
        IReadOnlyList<KeyVersion> expiring = [];
        var (_, changed) = await keys.UpdateAsync(
            key,
            managed =>
            {
                // Computed again on every attempt: after a conflict, another instance may have recorded some already.
                expiring = ManagedKeyDue.ExpiringVersions(managed, now, _defaultLead);
                return expiring.Aggregate(managed, (updated, version) => ManagedKeyTransitions.MarkExpiryWarned(updated, version.VersionId, now));
            },
            cancellationToken).ConfigureAwait(false);
        if (!changed)
        {
            return 0;
        }

        foreach (var version in expiring)
        {
            await events.PublishAsync(new KeyExpiringSoon { Key = key, OccurredAt = now, VersionId = version.VersionId, ExpiresAt = version.ExpiresAt!.Value }, cancellationToken).ConfigureAwait(false);
        }

        return expiring.Count;
    }
}
