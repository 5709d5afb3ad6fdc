using IronCage.Storage;
using NodaTime;

namespace IronCage;

/// <summary>
/// When a managed key next has scheduled work, as a pure function of its policy and versions: the earliest of its
/// scheduled rotation (or renewal before expiry, <see cref="RotationDueAt"/>) and the expiry warnings its versions still need. Every <see cref="IKeyStore"/> stores the result
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
    /// The earliest of the rotation (see <see cref="RotationDueAt"/>) and each servable version's
    /// expiry warning (expiry less the lead); <see cref="Never"/> when there is neither; <see langword="null"/> when the
    /// schedule cannot be evaluated (for example a period that runs past the calendar's end), so that the scheduler
    /// looks at the key, reports the problem and goes on with the others.
    /// </returns>
    public static Instant? Compute(ManagedKey key, Duration defaultExpiryWarningLead)
    {
        ArgumentNullException.ThrowIfNull(key);
        var next = Never;
        try
        {
            if (RotationDueAt(key) is { } due && due < next)
            {
                next = due;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or OverflowException or InvalidOperationException)
        {
            return null;
        }

        var lead = key.Policy.ExpiryWarningLead ?? defaultExpiryWarningLead;
        foreach (var version in key.Versions)
        {
            if (ExpiryWarningAt(key, version, lead) is { } warnAt && warnAt < next)
            {
                next = warnAt;
            }
        }

        return next;
    }

    /// <summary>
    /// When <paramref name="key"/> is next due to rotate: the earlier of its schedule (<see cref="RotationPolicy.NextDue"/>)
    /// and the renewal of its current version before that version expires (<see cref="RotationPolicy.RenewalDue"/>).
    /// The one rule the stored <see cref="ManagedKey.NextDueAt"/>, the scheduler and the plan all use.
    /// </summary>
    /// <param name="key">The managed key.</param>
    /// <returns>The due instant; <see langword="null"/> when nothing current can rotate (none, or killed) or the policy neither schedules nor renews.</returns>
    /// <exception cref="ArgumentException">The schedule cannot be evaluated (a period that runs past the calendar's end).</exception>
    public static Instant? RotationDueAt(ManagedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.CurrentVersion is not { KilledAt: null } current)
        {
            return null;
        }

        var activatedAt = current.ActivatedAt ?? current.CreatedAt;
        var scheduled = key.Policy.NextDue(activatedAt, key.Reference);
        var renewal = key.Policy.RenewalDue(activatedAt, current.ExpiresAt);
        return (scheduled, renewal) switch
        {
            ({ } s, { } r) => s < r ? s : r,
            ({ } s, null) => s,
            (null, var r) => r,
        };
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
        return [.. key.Versions.Where(v => ExpiryWarningAt(key, v, lead) is { } warnAt && warnAt <= now)];
    }

    /// <summary>
    /// From when <paramref name="version"/> counts as expiring soon (what expiry warnings and health checks report): its
    /// expiry less the warning lead. A key renewed before it expires (<see cref="RotationPolicy.RenewBeforeExpiry"/>) is
    /// replaced as a matter of course: only its current version counts, and only from halfway between its planned
    /// renewal and its expiry (the renewal has failed so far).
    /// </summary>
    /// <param name="key">The managed key.</param>
    /// <param name="version">One of its versions.</param>
    /// <param name="defaultExpiryWarningLead">The expiry warning lead for a policy without its own.</param>
    /// <returns>The instant, or <see langword="null"/> when the version has no expiry or is not one to warn about.</returns>
    public static Instant? ExpiringSoonFrom(ManagedKey key, KeyVersion version, Duration defaultExpiryWarningLead)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(version);
        if (version.ExpiresAt is not { } expiresAt)
        {
            return null;
        }

        var lead = key.Policy.ExpiryWarningLead ?? defaultExpiryWarningLead;
        var warnAt = expiresAt - Instant.MinValue < lead ? Instant.MinValue : expiresAt - lead;
        if (key.Policy.RenewBeforeExpiry is null)
        {
            return warnAt;
        }

        if (version.Stage != KeyStage.Current || key.Policy.RenewalDue(version.ActivatedAt ?? version.CreatedAt, expiresAt) is not { } renewAt)
        {
            return null;
        }

        var failedRenewal = renewAt < expiresAt ? renewAt + ((expiresAt - renewAt) / 2) : expiresAt;
        return warnAt > failedRenewal ? warnAt : failedRenewal;
    }

    // A servable version with a provider-side expiry is warned about once, from when it counts as expiring soon.
    private static Instant? ExpiryWarningAt(ManagedKey key, KeyVersion version, Duration lead)
        => version.IsServable && version.ExpiryWarnedAt is null ? ExpiringSoonFrom(key, version, lead) : null;
}
