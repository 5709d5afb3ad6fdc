namespace IronCage.Usage;

/// <summary>Defaults of <see cref="UsageTrackingOptions"/>.</summary>
public static class UsageTrackingConstants
{
    /// <summary>The currency of the built-in price catalog.</summary>
    public const string DefaultCurrency = "USD";

    /// <summary>The highest price per million tokens a <see cref="Pricing.ModelPrice"/> (or fallback rate) may set: 1,000,000 (one currency unit per token), so no cost computation can overflow.</summary>
    public const decimal MaxPricePerMillion = 1_000_000m;

    /// <summary>The default most pre-aggregated records kept while the usage store is unreachable.</summary>
    public const int DefaultMaxPendingRecords = 100_000;

    /// <summary>The default error rate (a fraction of a minute's requests) that raises an error-spike alert.</summary>
    public const double DefaultErrorSpikeThreshold = 0.5;

    /// <summary>The default fewest requests in a minute before an error spike is considered.</summary>
    public const int DefaultErrorSpikeMinimumRequests = 20;

    /// <summary>The default fraction of a window that must have passed before its cost is projected to the window's end.</summary>
    public const double DefaultProjectionMinimumElapsed = 0.1;

    /// <summary>Gets the default flush interval: 250 milliseconds (one batch per interval, so another instance sees the usage within a second).</summary>
    public static TimeSpan DefaultFlushInterval { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets the default refresh interval (the full re-read under the change feeds): 30 seconds.</summary>
    public static TimeSpan DefaultRefreshInterval { get; } = TimeSpan.FromSeconds(30);
}
