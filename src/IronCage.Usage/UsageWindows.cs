using NodaTime;

namespace IronCage.Usage;

/// <summary>Window helpers for the hot paths.</summary>
internal static class UsageWindows
{
    public static readonly UsageWindow[] All = [UsageWindow.Minute, UsageWindow.Hour, UsageWindow.Day, UsageWindow.Month];

    // The calendar month last asked for: months need the calendar, and nearly every question is about the current one.
    private static volatile MonthBounds? _month;

    /// <summary>Gets a window's bounds; minutes, hours and days by tick arithmetic (UTC has no leap seconds in NodaTime), months by the calendar.</summary>
    public static (Instant Start, Instant End) Bounds(UsageWindow window, Instant instant)
    {
        var length = window switch
        {
            UsageWindow.Minute => NodaConstants.TicksPerMinute,
            UsageWindow.Hour => NodaConstants.TicksPerHour,
            UsageWindow.Day => NodaConstants.TicksPerDay,
            _ => 0,
        };
        if (length == 0)
        {
            var month = _month;
            if (month is null || instant < month.Start || instant >= month.End)
            {
                month = new MonthBounds(window.StartOf(instant), window.EndOf(instant));
                _month = month;
            }

            return (month.Start, month.End);
        }

        var ticks = instant.ToUnixTimeTicks();
        var start = ticks - (((ticks % length) + length) % length);
        return (Instant.FromUnixTimeTicks(start), Instant.FromUnixTimeTicks(start + length));
    }
}

/// <summary>A calendar month's bounds, swapped whole.</summary>
internal sealed record MonthBounds(Instant Start, Instant End);
