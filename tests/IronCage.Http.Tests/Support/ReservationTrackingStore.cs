using System.Collections.Concurrent;
using IronCage.Usage;
using NodaTime;

namespace IronCage.Http.Tests.Support;

/// <summary>The in-memory usage store, counting which reservations are open, so a test can tell that none stays open.</summary>
internal sealed class ReservationTrackingStore : IUsageStore
{
    private readonly InMemoryUsageStore _inner = new();
    private readonly ConcurrentDictionary<Guid, decimal> _open = new();

    public IReadOnlyCollection<Guid> Open => [.. _open.Keys];

    public Task AppendAsync(IReadOnlyCollection<UsageRecord> records, CancellationToken cancellationToken = default) => _inner.AppendAsync(records, cancellationToken);

    public Task<IReadOnlyList<UsageAggregate>> AggregateAsync(UsageAggregateQuery query, CancellationToken cancellationToken = default) => _inner.AggregateAsync(query, cancellationToken);

    public async Task<BudgetReservationResult> TryReserveAsync(BudgetReservation reservation, decimal limit, CancellationToken cancellationToken = default)
    {
        var result = await _inner.TryReserveAsync(reservation, limit, cancellationToken);
        if (result.Admitted)
        {
            _open[reservation.Id] = reservation.Amount;
        }

        return result;
    }

    public async Task<bool> SettleAsync(Guid reservationId, decimal actualAmount, CancellationToken cancellationToken = default)
    {
        var settled = await _inner.SettleAsync(reservationId, actualAmount, cancellationToken);
        _open.TryRemove(reservationId, out _);
        return settled;
    }

    public Task<decimal> GetCommittedAsync(string budget, Instant windowStart, CancellationToken cancellationToken = default) => _inner.GetCommittedAsync(budget, windowStart, cancellationToken);
}
