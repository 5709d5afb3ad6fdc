using NodaTime;

namespace IronCage.Usage;

/// <summary>
/// Reads other instances' usage of the current windows into the live cache: other = stored − this instance's flushed.
/// A full refresh sums each window up to a horizon a few minutes back (<see cref="LiveKey.Older"/>); a recent refresh,
/// run whenever a usage change feed announces a flush, reads only the minutes since that horizon and adds them, so it
/// costs one small query however long the windows are.
/// </summary>
/// <remarks>Callers hold the recorder's flush lock, so this instance's flushed totals do not move underneath.</remarks>
internal static class RemoteUsageRefresh
{
    // Other instances append a minute's records until they retire its slot (two minutes after it) and keep retrying while
    // their store is down: minutes this far back are read by every recent refresh, older ones by the full refresh.
    private static readonly Duration RecentSpan = Duration.FromMinutes(3);

    /// <summary>Sums every window up to a new horizon, then reads the recent minutes.</summary>
    /// <returns>The new horizon.</returns>
    public static async Task<Instant> FullAsync(IUsageStore store, LiveUsageCache cache, Instant now, CancellationToken cancellationToken)
    {
        var horizon = UsageWindows.Bounds(UsageWindow.Minute, now).Start - RecentSpan;
        foreach (var window in UsageWindows.All)
        {
            var (start, _) = UsageWindows.Bounds(window, now);
            if (start >= horizon)
            {
                // Every minute of the window is recent: nothing older to sum.
                continue;
            }

            var aggregates = await store.AggregateAsync(new UsageAggregateQuery { From = start, To = horizon, Granularity = window }, cancellationToken).ConfigureAwait(false);
            var stored = aggregates.Where(a => a.WindowStart == start).ToDictionary(a => a.Key);
            foreach (var key in stored.Keys)
            {
                cache.Get(key);
            }

            foreach (var live in cache.Keys)
            {
                var older = stored.TryGetValue(live.Key, out var aggregate) ? UsageTotals.From(aggregate) : default;
                Volatile.Write(ref live.Older[(int)window], new WindowTotals(start, older));
            }
        }

        await RecentAsync(store, cache, now, horizon, cancellationToken).ConfigureAwait(false);
        return horizon;
    }

    /// <summary>Reads the minutes since <paramref name="horizon"/> and recomputes every live key's other-instance usage.</summary>
    public static async Task RecentAsync(IUsageStore store, LiveUsageCache cache, Instant now, Instant horizon, CancellationToken cancellationToken)
    {
        // One minute past the current one: another instance's clock may run slightly ahead.
        var to = UsageWindows.Bounds(UsageWindow.Minute, now).End + Duration.FromMinutes(1);
        var aggregates = await store.AggregateAsync(new UsageAggregateQuery { From = horizon, To = to, Granularity = UsageWindow.Minute }, cancellationToken).ConfigureAwait(false);
        var recent = new Dictionary<KeyReference, List<UsageAggregate>>();
        foreach (var aggregate in aggregates)
        {
            if (!recent.TryGetValue(aggregate.Key, out var minutes))
            {
                recent[aggregate.Key] = minutes = [];
                cache.Get(aggregate.Key);
            }

            minutes.Add(aggregate);
        }

        foreach (var live in cache.Keys)
        {
            recent.TryGetValue(live.Key, out var minutes);
            foreach (var window in UsageWindows.All)
            {
                var (start, end) = UsageWindows.Bounds(window, now);
                var others = Volatile.Read(ref live.Older[(int)window]) is { } older && older.Start == start ? older.Totals : default;
                if (minutes is not null)
                {
                    foreach (var minute in minutes)
                    {
                        if (minute.WindowStart >= start && minute.WindowStart < end && minute.WindowStart >= horizon)
                        {
                            others.Add(UsageTotals.From(minute));
                        }
                    }
                }

                if (live.Flushed[(int)window] is { } own && own.Start == start)
                {
                    others.Subtract(own.Totals);
                }

                Volatile.Write(ref live.Remote[(int)window], new WindowTotals(start, others));
            }
        }
    }
}
