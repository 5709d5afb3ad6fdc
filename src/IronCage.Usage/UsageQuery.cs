using NodaTime;

namespace IronCage.Usage;

/// <summary>Answers usage queries from the live counters (current usage, cost) and the store (history, reports).</summary>
internal sealed class UsageQuery : IUsageQuery
{
    private readonly UsageRecorder _recorder;
    private readonly IUsageStore _store;

    public UsageQuery(UsageRecorder recorder, IUsageStore store)
    {
        _recorder = recorder;
        _store = store;
    }

    /// <inheritdoc />
    public async ValueTask<KeyUsageSnapshot> GetCurrentUsageAsync(KeyReference key, CancellationToken cancellationToken = default)
    {
        var limits = await _recorder.GetLimitsAsync(key, cancellationToken).ConfigureAwait(false);
        var now = _recorder.Clock.GetCurrentInstant();
        UsageAggregate Window(UsageWindow window)
        {
            var (start, _) = UsageWindows.Bounds(window, now);
            return _recorder.GetUsage(key, window, now).ToAggregate(key, start);
        }

        var statuses = limits.Limits.Limits.Select(limit =>
        {
            var (start, end) = UsageWindows.Bounds(limit.Window, now);
            return new UsageLimitStatus
            {
                Limit = limit,
                Used = _recorder.GetUsage(key, limit.Window, now).ValueOf(limit.Metric),
                WindowStart = start,
                ResetsAt = end,
            };
        }).ToList();
        return new KeyUsageSnapshot
        {
            Key = key,
            At = now,
            Minute = Window(UsageWindow.Minute),
            Hour = Window(UsageWindow.Hour),
            Day = Window(UsageWindow.Day),
            Month = Window(UsageWindow.Month),
            Limits = statuses,
            Currency = _recorder.Pricing.Catalog.Currency,
        };
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<UsageAggregate>> GetHistoryAsync(KeyReference? key, UsageWindow granularity, Instant rangeStart, Instant rangeEnd, bool byModel = false, CancellationToken cancellationToken = default)
    {
        if (rangeEnd < rangeStart)
        {
            throw new ArgumentOutOfRangeException(nameof(rangeEnd), rangeEnd, "The end of a usage history range must not be before its start.");
        }

        await _recorder.FlushAsync(cancellationToken).ConfigureAwait(false);
        return await _store.AggregateAsync(new UsageAggregateQuery { Key = key, From = rangeStart, To = rangeEnd, Granularity = granularity, ByModel = byModel }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<CostProjection> GetCostAsync(KeyReference key, UsageWindow period, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = _recorder.Clock.GetCurrentInstant();
        var (start, end) = UsageWindows.Bounds(period, now);
        var usage = _recorder.GetUsage(key, period, now);
        var elapsed = (now - start).TotalTicks;
        var length = (end - start).TotalTicks;
        var projected = elapsed <= 0 ? usage.Cost : usage.Cost * (decimal)length / (decimal)elapsed;
        return new ValueTask<CostProjection>(new CostProjection
        {
            Key = key,
            Period = period,
            PeriodStart = start,
            PeriodEnd = end,
            At = now,
            Cost = usage.Cost,
            ProjectedCost = projected,
            ElapsedFraction = elapsed / length,
            UnpricedRequests = usage.UnpricedRequests,
            Currency = _recorder.Pricing.Catalog.Currency,
        });
    }

    /// <inheritdoc />
    public async Task<UsageReport> GetReportAsync(Instant rangeStart, Instant rangeEnd, UsageWindow granularity = UsageWindow.Day, KeyReference? key = null, bool byModel = false, CancellationToken cancellationToken = default)
    {
        var rows = await GetHistoryAsync(key, granularity, rangeStart, rangeEnd, byModel, cancellationToken).ConfigureAwait(false);
        var catalog = _recorder.Pricing.Catalog;
        return new UsageReport(_recorder.Clock.GetCurrentInstant(), rangeStart, rangeEnd, granularity, catalog.Currency, catalog.Version, rows, _recorder.DroppedRecords);
    }
}
