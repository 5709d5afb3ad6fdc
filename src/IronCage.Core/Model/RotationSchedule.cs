using NodaTime;
using NodaTime.Text;

namespace IronCage;

/// <summary>
/// How often a key rotates: a calendar period (<c>weekly</c>, <c>monthly</c>, <c>quarterly</c>, or an ISO-8601
/// period such as <c>P30D</c>, <c>P2W</c> or <c>P1M15D</c>). Months are calendar months: a key rotated on
/// 31 January is due on 29 February in a leap year.
/// </summary>
public sealed class RotationSchedule : IEquatable<RotationSchedule>
{
    private static readonly Duration MinimumLength = Duration.FromHours(1);

    private RotationSchedule(Period period, string text)
    {
        Period = period;
        Text = text;
    }

    /// <summary>Gets a schedule of one week.</summary>
    public static RotationSchedule Weekly { get; } = new(Period.FromWeeks(1), "weekly");

    /// <summary>Gets a schedule of one calendar month.</summary>
    public static RotationSchedule Monthly { get; } = new(Period.FromMonths(1), "monthly");

    /// <summary>Gets a schedule of three calendar months.</summary>
    public static RotationSchedule Quarterly { get; } = new(Period.FromMonths(3), "quarterly");

    /// <summary>Gets the period between rotations.</summary>
    public Period Period { get; }

    /// <summary>Gets the schedule as written (<c>monthly</c>, or the normalised ISO period).</summary>
    public string Text { get; }

    /// <summary>Parses <c>weekly</c>, <c>monthly</c>, <c>quarterly</c> or an ISO-8601 period.</summary>
    /// <param name="text">The schedule.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="RotationPolicyException">The text is not a schedule, or is zero, negative or shorter than one hour.</exception>
    public static RotationSchedule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var schedule, out var problem) ? schedule : throw new RotationPolicyException(problem);
    }

    /// <summary>Tries to parse a schedule.</summary>
    /// <param name="text">The schedule.</param>
    /// <param name="schedule">The schedule when parsing succeeds.</param>
    /// <returns><see langword="true"/> when parsed.</returns>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RotationSchedule? schedule)
        => TryParse(text, out schedule, out _);

    /// <summary>Creates a schedule from a period.</summary>
    /// <param name="period">The period.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="RotationPolicyException">The period is zero, negative or shorter than one hour.</exception>
    public static RotationSchedule FromPeriod(Period period)
    {
        ArgumentNullException.ThrowIfNull(period);
        var problem = Check(period, PeriodPattern.NormalizingIso.Format(period));
        return problem is null ? new RotationSchedule(period, PeriodPattern.NormalizingIso.Format(period)) : throw new RotationPolicyException(problem);
    }

    /// <summary>When a key rotated at <paramref name="last"/> is next due, adding the period in the given time zone's calendar.</summary>
    /// <param name="last">When the key last rotated (or was created).</param>
    /// <param name="zone">The calendar's time zone; day and month arithmetic follows its local dates across DST changes.</param>
    /// <returns>The instant the key is due.</returns>
    public Instant NextAfter(Instant last, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = last.InZone(zone).LocalDateTime + Period;
        return local.InZoneLeniently(zone).ToInstant();
    }

    /// <inheritdoc />
    public bool Equals(RotationSchedule? other) => other is not null && Period.Equals(other.Period);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RotationSchedule);

    /// <inheritdoc />
    public override int GetHashCode() => Period.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => Text;

    private static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RotationSchedule? schedule, out string problem)
    {
        schedule = null;
        var trimmed = text?.Trim() ?? string.Empty;
        switch (trimmed.ToLowerInvariant())
        {
            case "weekly":
                schedule = Weekly;
                problem = string.Empty;
                return true;
            case "monthly":
                schedule = Monthly;
                problem = string.Empty;
                return true;
            case "quarterly":
                schedule = Quarterly;
                problem = string.Empty;
                return true;
        }

        var parsed = PeriodPattern.NormalizingIso.Parse(trimmed.ToUpperInvariant());
        if (!parsed.Success)
        {
            problem = $"'{Shorten(trimmed)}' is not a rotation schedule. Use 'weekly', 'monthly', 'quarterly' or an ISO-8601 period such as 'P30D', 'P2W' or 'P1M'.";
            return false;
        }

        var check = Check(parsed.Value, trimmed);
        if (check is not null)
        {
            problem = check;
            return false;
        }

        schedule = new RotationSchedule(parsed.Value, PeriodPattern.NormalizingIso.Format(parsed.Value));
        problem = string.Empty;
        return true;
    }

    private static string? Check(Period period, string text)
    {
        if (period.Years < 0 || period.Months < 0 || period.Weeks < 0 || period.Days < 0 || period.Hours < 0 || period.Minutes < 0
            || period.Seconds < 0 || period.Milliseconds < 0 || period.Ticks < 0 || period.Nanoseconds < 0)
        {
            return $"The rotation schedule '{Shorten(text)}' is negative. Use a positive period such as 'P30D'.";
        }

        if (period.Equals(Period.Zero))
        {
            return $"The rotation schedule '{Shorten(text)}' is zero. Use a positive period such as 'P30D', or no schedule to rotate only on demand.";
        }

        if (!FitsPolicySpan(period))
        {
            return $"The rotation schedule '{Shorten(text)}' is longer than 10 years (IronCageConstants.MaxPolicySpan). Use a shorter period such as 'P90D', or no schedule to rotate only on demand.";
        }

        if (!period.HasDateComponent && period.ToDuration() < MinimumLength)
        {
            return $"The rotation schedule '{Shorten(text)}' is shorter than one hour. Rotating that often only churns keys; use at least 'PT1H'.";
        }

        return null;
    }

    // Measured from a fixed date, so every calendar period is compared the same way; a period too large for the
    // calendar (P10000Y) overflows here, at validation, instead of later when a due time is computed.
    private static bool FitsPolicySpan(Period period)
    {
        try
        {
            var start = new LocalDateTime(2000, 1, 1, 0, 0);
            var end = start + period;
            return end.InUtc().ToInstant() - start.InUtc().ToInstant() <= IronCageConstants.MaxPolicySpan;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
