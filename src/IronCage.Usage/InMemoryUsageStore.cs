namespace IronCage.Usage;

/// <summary>
/// An <see cref="IUsageStore"/> in process memory: for tests, demos and single-process hosts that can lose usage
/// history on restart. Thread-safe; every operation takes one short lock, so reservations are atomic.
/// </summary>
public sealed class InMemoryUsageStore : IUsageStore
{
    private readonly object _gate = new();
    private readonly List<UsageRecord> _records = [];
    private readonly Dictionary<Guid, Reservation> _reservations = [];
    private readonly Dictionary<(string Budget, NodaTime.Instant Window), decimal> _committed = [];

    /// <inheritdoc />
    public Task AppendAsync(IReadOnlyCollection<UsageRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var record in records)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(records));
            record.Validate();
        }

        lock (_gate)
        {
            _records.AddRange(records);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<UsageAggregate>> AggregateAsync(UsageAggregateQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var sums = new Dictionary<(KeyReference Key, NodaTime.Instant Window, string? Model), UsageAggregate>();
        lock (_gate)
        {
            foreach (var record in _records)
            {
                if (record.Minute < query.From || record.Minute >= query.To || (query.Key is { } only && record.Key != only))
                {
                    continue;
                }

                var group = (record.Key, query.Granularity.StartOf(record.Minute), query.ByModel ? record.Model : null);
                var sum = sums.TryGetValue(group, out var found) ? found : new UsageAggregate { Key = group.Key, WindowStart = group.Item2, Model = group.Item3 };
                sums[group] = sum with
                {
                    Requests = sum.Requests + record.Requests,
                    Errors = sum.Errors + record.Errors,
                    InputTokens = sum.InputTokens + record.InputTokens,
                    OutputTokens = sum.OutputTokens + record.OutputTokens,
                    Cost = sum.Cost + (record.CostStatus == UsageCostStatus.Unpriced ? 0 : record.Cost),
                    UnpricedRequests = sum.UnpricedRequests + (record.CostStatus == UsageCostStatus.Unpriced ? record.Requests : 0),
                };
            }
        }

        IReadOnlyList<UsageAggregate> ordered = [.. sums.Values
            .OrderBy(a => a.Key.ToString(), StringComparer.Ordinal)
            .ThenBy(a => a.WindowStart)
            .ThenBy(a => a.Model, StringComparer.Ordinal)];
        return Task.FromResult(ordered);
    }

    /// <inheritdoc />
    public Task<BudgetReservationResult> TryReserveAsync(BudgetReservation reservation, decimal limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        ArgumentOutOfRangeException.ThrowIfNegative(reservation.Amount, nameof(reservation));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_reservations.ContainsKey(reservation.Id))
            {
                throw new ArgumentException($"Reservation {reservation.Id} already exists; every reservation needs a new id.", nameof(reservation));
            }

            var window = (reservation.Budget, reservation.WindowStart);
            var committed = _committed.GetValueOrDefault(window);
            if (committed + reservation.Amount > limit)
            {
                return Task.FromResult(new BudgetReservationResult(false, committed));
            }

            _committed[window] = committed + reservation.Amount;
            _reservations[reservation.Id] = new Reservation(window, reservation.Amount);
            return Task.FromResult(new BudgetReservationResult(true, committed));
        }
    }

    /// <inheritdoc />
    public Task<bool> SettleAsync(Guid reservationId, decimal actualAmount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actualAmount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_reservations.TryGetValue(reservationId, out var reservation) || reservation.Settled)
            {
                return Task.FromResult(false);
            }

            _committed[reservation.Window] += actualAmount - reservation.Amount;
            _reservations[reservationId] = reservation with { Amount = actualAmount, Settled = true };
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<decimal> GetCommittedAsync(string budget, NodaTime.Instant windowStart, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(budget);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_committed.GetValueOrDefault((budget, windowStart)));
        }
    }

    private sealed record Reservation((string Budget, NodaTime.Instant Window) Window, decimal Amount, bool Settled = false);
}
