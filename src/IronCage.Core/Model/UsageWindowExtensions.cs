using NodaTime;

namespace IronCage;

/// <summary>Where usage windows start and end: aligned to UTC minutes, hours, days and calendar months.</summary>
public static class UsageWindowExtensions
{
    /// <summary>Gets the start of the window that contains <paramref name="instant"/>.</summary>
    /// <param name="window">The window size.</param>
    /// <param name="instant">An instant inside the window.</param>
    /// <returns>The window's first instant.</returns>
    public static Instant StartOf(this UsageWindow window, Instant instant)
    {
        var utc = instant.InUtc().LocalDateTime;
        var start = window switch
        {
            UsageWindow.Minute => new LocalDateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute),
            UsageWindow.Hour => new LocalDateTime(utc.Year, utc.Month, utc.Day, utc.Hour, 0),
            UsageWindow.Day => utc.Date.AtMidnight(),
            UsageWindow.Month => new LocalDate(utc.Year, utc.Month, 1).AtMidnight(),
            _ => throw new ArgumentOutOfRangeException(nameof(window), window, "Unknown usage window."),
        };
        return start.InUtc().ToInstant();
    }

    /// <summary>Gets the end (exclusive) of the window that contains <paramref name="instant"/>: the next window's start.</summary>
    /// <param name="window">The window size.</param>
    /// <param name="instant">An instant inside the window.</param>
    /// <returns>The first instant after the window.</returns>
    public static Instant EndOf(this UsageWindow window, Instant instant)
    {
        var start = window.StartOf(instant);
        return window switch
        {
            UsageWindow.Minute => start + Duration.FromMinutes(1),
            UsageWindow.Hour => start + Duration.FromHours(1),
            UsageWindow.Day => start + Duration.FromDays(1),
            _ => start.InUtc().LocalDateTime.PlusMonths(1).InUtc().ToInstant(),
        };
    }
}
