using IronCage.Storage;
using NodaTime;

namespace IronCage;

/// <summary>
/// When a managed key next has scheduled work, as a pure function of its policy and versions: the earliest of its
/// scheduled rotation and the expiry warnings its versions still need. Every <see cref="IKeyStore"/> stores the result
/// on each write (<see cref="ManagedKey.NextDueAt"/>), so the scheduler finds due keys with one query
/// (<see cref="IKeyStore.ListDueAsync"/>) instead of reading every key.
/// </summary>
public static class ManagedKeyDue
{
    /// <summary>
    /// Gets the instant stored for a key with no scheduled work (no schedule and no unwarned expiry): it is never due
    /// until it changes.
    /// </summary>
    public static Instant Never => Instant.MaxValue;

    /// <summary>Computes when <paramref name="key"/> next has scheduled work.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="defaultExpiryWarningLead">The expiry warning lead for a policy without its own (<see cref="IronCageOptions.DefaultExpiryWarningLead"/>).</param>
    /// <returns>
    /// The earliest of the scheduled rotation (see <see cref="RotationPolicy.NextDue"/>) and each servable version's
    /// expiry warning (expiry less the lead); <see cref="Never"/> when there is neither; <see langword="null"/> when the
    /// schedule cannot be evaluated (for example a period that runs past the calendar's end), so that the scheduler
    /// looks at the key, reports the problem and goes on with the others.
    /// </returns>
    public static Instant? Compute(ManagedKey key, Duration defaultExpiryWarningLead)
    {
        ArgumentNullException.ThrowIfNull(key);
        var next = Never;
        if (key.CurrentVersion is { KilledAt: null } current)
        {
            try
            {
                if (key.Policy.NextDue(current.ActivatedAt ?? current.CreatedAt, key.Reference) is { } due && due < next)
                {
                    next = due;
                }
            }
            catch (Exception ex) when (ex is ArgumentException or OverflowException or InvalidOperationException)
            {
                return null;
            }
        }

        var lead = key.Policy.ExpiryWarningLead ?? defaultExpiryWarningLead;
        foreach (var version in key.Versions)
        {
            if (ExpiryWarningAt(version, lead) is { } warnAt && warnAt < next)
            {
                next = warnAt;
            }
        }

        return next;
    }

    /// <summary>The versions of <paramref name="key"/> whose expiry warning is due at <paramref name="now"/> and was not sent yet.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="now">The current instant.</param>
    /// <param name="defaultExpiryWarningLead">The expiry warning lead for a policy without its own.</param>
    /// <returns>The versions, oldest first.</returns>
    public static IReadOnlyList<KeyVersion> ExpiringVersions(ManagedKey key, Instant now, Duration defaultExpiryWarningLead)
    {
        ArgumentNullException.ThrowIfNull(key);
        var lead = key.Policy.ExpiryWarningLead ?? defaultExpiryWarningLead;
        return [.. key.Versions.Where(v => ExpiryWarningAt(v, lead) is { } warnAt && warnAt <= now)];
    }

    // A servable version with a provider-side expiry is warned about once, a lead before it expires.
    private static Instant? ExpiryWarningAt(KeyVersion version, Duration lead)
    {
        if (!version.IsServable || version.ExpiryWarnedAt is not null || version.ExpiresAt is not { } expiresAt)
        {
            return null;
        }

        return expiresAt - Instant.MinValue < lead ? Instant.MinValue : expiresAt - lead;
    }
}
