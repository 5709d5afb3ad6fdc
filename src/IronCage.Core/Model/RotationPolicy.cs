using NodaTime;

namespace IronCage;

/// <summary>
/// When and how a managed key rotates: schedule, maintenance window, grace period, expiry warning lead and jitter.
/// Decisions are pure functions of their inputs (see <see cref="NextDue"/>), so they test without a clock.
/// </summary>
public sealed record RotationPolicy
{
    /// <summary>Gets the policy with no schedule (rotate on demand only) and default grace and warnings.</summary>
    public static RotationPolicy Default { get; } = new();

    /// <summary>Gets the rotation schedule, or <see langword="null"/> to rotate only on demand.</summary>
    public RotationSchedule? Schedule { get; init; }

    /// <summary>Gets the maintenance window scheduled rotations wait for, if any.</summary>
    public MaintenanceWindow? Window { get; init; }

    /// <summary>Gets how long the previous version stays valid after a rotation.</summary>
    /// <value><see langword="null"/> uses <see cref="IronCageOptions.DefaultGracePeriod"/> (24 hours by default). Between 0 and 30 days.</value>
    public Duration? GracePeriod { get; init; }

    /// <summary>Gets how long before a provider-side expiry IronCage warns.</summary>
    /// <value><see langword="null"/> uses <see cref="IronCageOptions.DefaultExpiryWarningLead"/> (14 days by default).</value>
    public Duration? ExpiryWarningLead { get; init; }

    /// <summary>
    /// Gets how long a newly created key should live at the provider, where the provider supports an expiry (OpenAI admin
    /// keys, OpenRouter, AWS, Fireworks, Mistral): the key then dies on its own even if revocation fails.
    /// </summary>
    /// <value><see langword="null"/> (the default) creates keys without an expiry.</value>
    public Duration? KeyLifetime { get; init; }

    /// <summary>
    /// Gets how long before the current key's own expiry a new key is made, for keys that expire on their own and that
    /// IronCage can replace unattended (Amazon Bedrock short-term API keys, which live at most 12 hours). The key is then
    /// due at its expiry less this lead, but never before half its life has passed, so a short-lived key is not replaced
    /// on every scheduler pass. With a renewal lead, only a current key that is still current halfway between its planned
    /// renewal and its expiry is warned about (the renewal failed so far); replaced keys are not, they expire as planned.
    /// </summary>
    /// <value><see langword="null"/> (the default) renews nothing before expiry; generated keys get <see cref="IronCageConstants.DefaultRenewBeforeExpiry"/> when registered without one.</value>
    public Duration? RenewBeforeExpiry { get; init; }

    /// <summary>Gets the largest random delay added to a due time, so many keys on one schedule do not rotate at once. Deterministic per key.</summary>
    /// <value>The default value is zero.</value>
    public Duration Jitter { get; init; } = Duration.Zero;

    /// <summary>Gets the time zone the schedule's calendar arithmetic uses: the window's zone, or UTC.</summary>
    public DateTimeZone TimeZone => Window?.Zone ?? DateTimeZone.Utc;

    /// <summary>Checks the policy.</summary>
    /// <exception cref="RotationPolicyException">The grace period, warning lead or jitter is out of range.</exception>
    public void Validate()
    {
        if (GracePeriod is { } grace && (grace < Duration.Zero || grace > IronCageConstants.MaxGracePeriod))
        {
            throw new RotationPolicyException($"The grace period {grace} is out of range: use 0 (emergencies only) to 30 days; the default is 24 hours.");
        }

        if (ExpiryWarningLead is { } lead && lead < Duration.Zero)
        {
            throw new RotationPolicyException($"The expiry warning lead {lead} is negative; use for example 14 days.");
        }

        if (Schedule is not null && !RotationSchedule.TryParse(Schedule.Text, out _))
        {
            throw new RotationPolicyException($"The rotation schedule '{Schedule}' is out of range: use a positive period of at most 10 years, such as 'P90D'.");
        }

        if (RenewBeforeExpiry is { } renew && renew <= Duration.Zero)
        {
            throw new RotationPolicyException($"The renewal lead {renew} must be positive, for example one hour; leave it unset for keys that are not renewed before they expire.");
        }

        foreach (var (name, span) in new[] { ("expiry warning lead", ExpiryWarningLead), ("key lifetime", KeyLifetime), ("renewal lead", RenewBeforeExpiry), ("jitter", (Duration?)Jitter) })
        {
            if (span > IronCageConstants.MaxPolicySpan)
            {
                throw new RotationPolicyException($"The {name} {span} is longer than 10 years (IronCageConstants.MaxPolicySpan); use a shorter span.");
            }
        }

        if (KeyLifetime is { } lifetime && lifetime <= Duration.Zero)
        {
            throw new RotationPolicyException($"The key lifetime {lifetime} must be positive; leave it unset for keys that do not expire.");
        }

        if (KeyLifetime is { } life && Schedule is not null)
        {
            // A key must outlive its rotation period plus the grace period, or it expires before it is replaced.
            // The longest span the calendar period can have (a month of 31 days, a quarter of 92) over a leap year.
            var span = Duration.Zero;
            for (var month = 1; month <= 12; month++)
            {
                var start = Instant.FromUtc(2004, month, 1, 0, 0);
                var length = Schedule.NextAfter(start, DateTimeZone.Utc) - start;
                span = length > span ? length : span;
            }

            var longest = span + (GracePeriod ?? IronCageConstants.DefaultGracePeriod) + Jitter;
            if (life < longest)
            {
                throw new RotationPolicyException($"The key lifetime {life} is shorter than the schedule '{Schedule}' plus grace and jitter ({longest}): keys would expire before they are replaced.");
            }
        }

        if (Jitter < Duration.Zero)
        {
            throw new RotationPolicyException($"The jitter {Jitter} is negative; use zero or a positive duration.");
        }

        if (Schedule is not null && Jitter > Duration.Zero)
        {
            // The shortest span the schedule can produce: a calendar period measured from a reference date (February
            // of a non-leap year), less the largest DST shift (two hours) when the calendar is not UTC.
            var reference = Instant.FromUtc(2001, 2, 1, 0, 0);
            var shortest = Schedule.NextAfter(reference, DateTimeZone.Utc) - reference;
            if (TimeZone != DateTimeZone.Utc)
            {
                shortest -= Duration.FromHours(2);
            }

            if (Jitter >= shortest)
            {
                throw new RotationPolicyException($"The jitter {Jitter} must be shorter than the schedule '{Schedule}'.");
            }
        }
    }

    /// <summary>
    /// When a key last rotated at <paramref name="lastRotatedAt"/> is next due: the schedule's period added in
    /// <see cref="TimeZone"/>'s calendar, plus the key's deterministic jitter, moved to the next maintenance window opening.
    /// </summary>
    /// <param name="lastRotatedAt">When the key last rotated, or when it was created.</param>
    /// <param name="key">The key, whose reference seeds the jitter.</param>
    /// <returns>The due instant, or <see langword="null"/> when the policy has no schedule.</returns>
    public Instant? NextDue(Instant lastRotatedAt, KeyReference key)
    {
        if (Schedule is null)
        {
            return null;
        }

        var due = Schedule.NextAfter(lastRotatedAt, TimeZone) + JitterFor(key);
        return Window?.NextOpening(due) ?? due;
    }

    /// <summary>
    /// When a key that became current at <paramref name="activatedAt"/> and expires at <paramref name="expiresAt"/> is due
    /// for renewal: <see cref="RenewBeforeExpiry"/> before it expires, but not before half its life has passed.
    /// </summary>
    /// <param name="activatedAt">When the key became current (or was created).</param>
    /// <param name="expiresAt">When it expires, if it does.</param>
    /// <returns>The renewal instant, or <see langword="null"/> without a renewal lead or an expiry.</returns>
    public Instant? RenewalDue(Instant activatedAt, Instant? expiresAt)
    {
        if (RenewBeforeExpiry is not { } lead || expiresAt is not { } expires)
        {
            return null;
        }

        var byLead = expires - Instant.MinValue < lead ? Instant.MinValue : expires - lead;
        var halfway = expires > activatedAt ? activatedAt + ((expires - activatedAt) / 2) : expires;
        return byLead > halfway ? byLead : halfway;
    }

    /// <summary>The jitter for one key: a fixed fraction of <see cref="Jitter"/> derived from the key's reference.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Between zero (inclusive) and <see cref="Jitter"/> (exclusive).</returns>
    public Duration JitterFor(KeyReference key)
    {
        if (Jitter <= Duration.Zero)
        {
            return Duration.Zero;
        }

        // FNV-1a over the reference: stable across processes and versions (string.GetHashCode is not).
        var hash = 14695981039346656037UL;
        foreach (var c in key.ToString())
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        // FNV-1a barely mixes its last characters into the high bits used below, so 'prod-1' … 'prod-9' would get
        // nearly the same jitter; MurmurHash3's 64-bit finalizer spreads every input bit over the whole hash.
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;

        var fraction = (hash >> 11) / (double)(1UL << 53);
        return Duration.FromTicks((long)(Jitter.BclCompatibleTicks * fraction));
    }
}
