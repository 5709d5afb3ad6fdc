using System.Collections.Frozen;
using NodaTime;
using NodaTime.TimeZones;
using IronCage.Internal;

namespace IronCage;

/// <summary>
/// When scheduled rotations may run: days of the week, a local start time and a length, in a time zone. A window
/// may cross midnight. Local times that fall into a DST gap start at the end of the gap; ambiguous ones use the earlier instant.
/// </summary>
public sealed class MaintenanceWindow
{
    private static readonly Duration MaxLength = Duration.FromDays(1);

    // A start time skipped by a DST gap opens when the gap ends (02:30 -> 03:00), not shifted by the gap's length
    // (InZoneLeniently would give 03:30); an ambiguous one opens at its first occurrence.
    private static readonly ZoneLocalMappingResolver OpeningResolver = Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    /// <summary>Creates a window.</summary>
    /// <param name="days">The days the window opens on (local to <paramref name="zone"/>).</param>
    /// <param name="start">The local time it opens.</param>
    /// <param name="length">How long it stays open: more than zero, at most one day.</param>
    /// <param name="zone">The time zone of <paramref name="days"/> and <paramref name="start"/>.</param>
    /// <exception cref="RotationPolicyException">No days are given, or the length is out of range.</exception>
    public MaintenanceWindow(IEnumerable<IsoDayOfWeek> days, LocalTime start, Duration length, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(zone);
        var set = new SortedSet<IsoDayOfWeek>(days);
        if (set.Count == 0 || set.Min < IsoDayOfWeek.Monday || set.Max > IsoDayOfWeek.Sunday)
        {
            throw new RotationPolicyException("A maintenance window needs at least one day of the week, and only days from Monday to Sunday.");
        }

        if (length <= Duration.Zero || length > MaxLength)
        {
            throw new RotationPolicyException($"A maintenance window must be open for more than zero and at most 24 hours (got {length}). Add more days for a longer window.");
        }

        Days = set.ToFrozenSet();
        Start = start;
        Length = length;
        Zone = zone;
    }

    /// <summary>Gets the days the window opens on.</summary>
    public IReadOnlySet<IsoDayOfWeek> Days { get; }

    /// <summary>Gets the local time the window opens.</summary>
    public LocalTime Start { get; }

    /// <summary>Gets how long the window stays open.</summary>
    public Duration Length { get; }

    /// <summary>Gets the window's time zone.</summary>
    public DateTimeZone Zone { get; }

    /// <summary>Tells whether the window is open at an instant.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns><see langword="true"/> when open.</returns>
    public bool Contains(Instant instant)
    {
        var date = instant.InZone(Zone).Date;
        return IsOpenFrom(date.PlusDays(-1), instant) || IsOpenFrom(date, instant);
    }

    /// <summary>The first instant at or after <paramref name="from"/> when the window is open.</summary>
    /// <param name="from">The earliest instant.</param>
    /// <returns><paramref name="from"/> itself when the window is open then; otherwise the next opening.</returns>
    public Instant NextOpening(Instant from)
    {
        if (Contains(from))
        {
            return from;
        }

        var date = from.InZone(Zone).Date;
        for (var i = 0; i <= 8; i++)
        {
            var day = date.PlusDays(i);
            if (Days.Contains(day.DayOfWeek))
            {
                var opening = OpeningOn(day);
                if (opening >= from)
                {
                    return opening;
                }
            }
        }

        throw new InvalidOperationException("A maintenance window with at least one day always opens within eight days.");
    }

    /// <inheritdoc />
    public override string ToString() => $"{string.Join(",", Days.Order())} {Start:HH':'mm} for {Length} ({Zone.Id})";

    private bool IsOpenFrom(LocalDate day, Instant instant)
    {
        if (!Days.Contains(day.DayOfWeek))
        {
            return false;
        }

        var opening = OpeningOn(day);
        return instant >= opening && instant < opening + Length;
    }

    private Instant OpeningOn(LocalDate day) => (day + Start).InZone(Zone, OpeningResolver).ToInstant();
}
