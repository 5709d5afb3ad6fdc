using NodaTime;

namespace IronCage.Usage;

/// <summary>Answers questions about usage: current usage against limits, history, cost and its projection, and reports.</summary>
public interface IUsageQuery
{
    /// <summary>
    /// Gets a key's current usage in every window and against each of its limits, from the live counters: this instance's
    /// usage up to now, other instances' usage as of the last refresh.
    /// </summary>
    /// <param name="key">The managed key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The snapshot.</returns>
    ValueTask<KeyUsageSnapshot> GetCurrentUsageAsync(KeyReference key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets usage history from the store's aggregates. This instance's recorded usage is flushed first, so it is complete;
    /// other instances' usage appears once they flush.
    /// </summary>
    /// <param name="key">The managed key, or <see langword="null"/> for every key.</param>
    /// <param name="granularity">The window of each entry (usually <see cref="UsageWindow.Day"/> or <see cref="UsageWindow.Month"/>).</param>
    /// <param name="rangeStart">The start of the range (inclusive).</param>
    /// <param name="rangeEnd">The end of the range (exclusive).</param>
    /// <param name="byModel">Whether to split entries by model.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One entry per key (and model) and non-empty window, ordered by key, window and model.</returns>
    Task<IReadOnlyList<UsageAggregate>> GetHistoryAsync(KeyReference? key, UsageWindow granularity, Instant rangeStart, Instant rangeEnd, bool byModel = false, CancellationToken cancellationToken = default);

    /// <summary>Gets a key's cost in the current day or month so far, and its linear projection to the period's end.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="period">The period: usually <see cref="UsageWindow.Day"/> or <see cref="UsageWindow.Month"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The cost and its projection.</returns>
    ValueTask<CostProjection> GetCostAsync(KeyReference key, UsageWindow period, CancellationToken cancellationToken = default);

    /// <summary>Builds a report (JSON or CSV) of usage and cost per key and window, from the store after flushing this instance.</summary>
    /// <param name="rangeStart">The start of the range (inclusive).</param>
    /// <param name="rangeEnd">The end of the range (exclusive).</param>
    /// <param name="granularity">The window of each row.</param>
    /// <param name="key">The managed key, or <see langword="null"/> for every key.</param>
    /// <param name="byModel">Whether to split rows by model.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report.</returns>
    Task<UsageReport> GetReportAsync(Instant rangeStart, Instant rangeEnd, UsageWindow granularity = UsageWindow.Day, KeyReference? key = null, bool byModel = false, CancellationToken cancellationToken = default);
}
