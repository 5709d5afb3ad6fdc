namespace IronCage.Usage;

/// <summary>
/// Where usage is kept: appended in batches by the recorder, summed into windows for limits, history and cost, and
/// budget reservations that several host instances share.
/// </summary>
/// <remarks>Implementations: the in-memory default, SQLite and PostgreSQL; all pass one conformance suite.</remarks>
public interface IUsageStore
{
    /// <summary>Appends a batch of usage records in one transaction: all of them are stored, or none.</summary>
    /// <param name="records">The records; an empty batch does nothing.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the batch is durable.</returns>
    /// <exception cref="IronCageException">The store is unreachable; the batch can be retried.</exception>
    Task AppendAsync(IReadOnlyCollection<UsageRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Sums the stored records into windows.</summary>
    /// <param name="query">Which keys, which range, which windows.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One aggregate per key (and model, if asked) and non-empty window, ordered by key, window start and model.</returns>
    Task<IReadOnlyList<UsageAggregate>> AggregateAsync(UsageAggregateQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records <paramref name="reservation"/> if the budget window's settled costs plus open reservations plus its
    /// amount stay within <paramref name="limit"/>, atomically with respect to every other reservation of that window.
    /// </summary>
    /// <param name="reservation">The reservation.</param>
    /// <param name="limit">The budget's limit for the window.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it was admitted, and what the window held before it.</returns>
    Task<BudgetReservationResult> TryReserveAsync(BudgetReservation reservation, decimal limit, CancellationToken cancellationToken = default);

    /// <summary>Replaces a reservation's amount with the real cost of the call (0 when nothing was spent).</summary>
    /// <param name="reservationId">The reservation.</param>
    /// <param name="actualAmount">The real cost.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> if the reservation existed and was open; settling twice returns <see langword="false"/> the second time.</returns>
    Task<bool> SettleAsync(Guid reservationId, decimal actualAmount, CancellationToken cancellationToken = default);

    /// <summary>Gets what a budget window holds: settled costs plus open reservations.</summary>
    /// <param name="budget">The budget.</param>
    /// <param name="windowStart">The window.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The committed amount.</returns>
    Task<decimal> GetCommittedAsync(string budget, NodaTime.Instant windowStart, CancellationToken cancellationToken = default);
}
