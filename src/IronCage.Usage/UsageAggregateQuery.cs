using NodaTime;

namespace IronCage.Usage;

/// <summary>What <see cref="IUsageStore.AggregateAsync"/> sums: which keys, which time range, in which windows.</summary>
public sealed record UsageAggregateQuery
{
    /// <summary>Gets the managed key to sum, or <see langword="null"/> for every key (one aggregate per key and window).</summary>
    public KeyReference? Key { get; init; }

    /// <summary>Gets the start of the range (inclusive); records are matched by their minute.</summary>
    public required Instant From { get; init; }

    /// <summary>Gets the end of the range (exclusive).</summary>
    public required Instant To { get; init; }

    /// <summary>Gets the window each aggregate covers; windows are aligned to UTC (calendar months for <see cref="UsageWindow.Month"/>).</summary>
    /// <value>The default value is <see cref="UsageWindow.Day"/>.</value>
    public UsageWindow Granularity { get; init; } = UsageWindow.Day;

    /// <summary>Gets a value indicating whether aggregates are split by model.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool ByModel { get; init; }
}
