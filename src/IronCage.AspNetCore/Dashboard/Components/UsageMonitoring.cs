using IronCage.Storage;
using IronCage.Usage;
using NodaTime;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>UsageMonitoring: <see cref="UsageMetrics"/> per key, <see cref="CostTracking"/> (daily and monthly charts, current vs projected, by provider and model) and <see cref="AlertConfig"/>.</summary>
internal static class UsageMonitoring
{
    private const int TopKeys = 50;

    public static async Task<int> RenderAsync(DashboardPage page)
    {
        DashboardLayout.Begin(page, "Usage", "usage");
        page.Html.Raw("<h1>Usage monitoring</h1>");
        if (page.OptionalService<IUsageQuery>() is not { } usage)
        {
            page.Html.Raw("<p class=\"empty\">This host does not track usage: call AddUsageTracking() on the IronCage builder.</p>");
            DashboardLayout.End(page);
            return 200;
        }

        var now = page.Service<IClock>().GetCurrentInstant();
        var keys = new List<ManagedKey>();
        await foreach (var key in page.Service<IKeyStore>().ListAsync(cancellationToken: page.Aborted).ConfigureAwait(false))
        {
            keys.Add(key);
        }

        keys.Sort((a, b) => string.CompareOrdinal(a.Reference.ToString(), b.Reference.ToString()));

        // Every number on the page comes from the store (this instance flushed first), so the per-key tables add up to
        // the charts and the breakdowns; the live counters only say where each key stands against its limits.
        var daily = await usage.GetHistoryAsync(null, UsageWindow.Day, now - Duration.FromDays(30), now, byModel: false, page.Aborted).ConfigureAwait(false);
        var monthly = await usage.GetHistoryAsync(null, UsageWindow.Month, now - Duration.FromDays(366), now, byModel: false, page.Aborted).ConfigureAwait(false);
        var (monthStart, monthEnd) = (now.InUtc().Date.With(DateAdjusters.StartOfMonth).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant(), now.InUtc().Date.With(DateAdjusters.StartOfMonth).PlusMonths(1).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant());
        var dayStart = now.InUtc().Date.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        var thisMonth = monthly.Where(a => a.WindowStart == monthStart).ToDictionary(a => a.Key);
        var today = daily.Where(a => a.WindowStart == dayStart).ToDictionary(a => a.Key);
        var byModel = await usage.GetHistoryAsync(null, UsageWindow.Month, monthStart, now, byModel: true, page.Aborted).ConfigureAwait(false);

        // The per-key tables show the keys with the most use this month; the charts and breakdowns cover every key.
        var top = keys
            .Select(k => (k.Reference, Month: thisMonth.GetValueOrDefault(k.Reference)))
            .OrderByDescending(k => k.Month?.Cost ?? 0).ThenByDescending(k => k.Month?.Requests ?? 0).ThenBy(k => k.Reference.ToString(), StringComparer.Ordinal)
            .Take(TopKeys).Select(k => k.Reference).ToHashSet();
        if (keys.Count > TopKeys)
        {
            page.Html.Raw("<p class=\"hint\">").Text($"The tables per key show the {TopKeys} keys with the most use this month, of {keys.Count}; the charts and the breakdowns cover every key.").Raw("</p>");
        }

        var elapsed = (double)(now - monthStart).TotalTicks / (monthEnd - monthStart).TotalTicks;
        var snapshots = new List<KeyUsageSnapshot>();
        var costs = new List<CostProjection>();
        foreach (var key in keys.Where(k => top.Contains(k.Reference)))
        {
            var live = await usage.GetCurrentUsageAsync(key.Reference, page.Aborted).ConfigureAwait(false);
            var month = thisMonth.GetValueOrDefault(key.Reference) ?? Empty(key.Reference, monthStart);
            snapshots.Add(live with { Day = today.GetValueOrDefault(key.Reference) ?? Empty(key.Reference, dayStart), Month = month });
            costs.Add(new CostProjection
            {
                Key = key.Reference,
                Period = UsageWindow.Month,
                PeriodStart = monthStart,
                PeriodEnd = monthEnd,
                At = now,
                Cost = month.Cost,
                ProjectedCost = elapsed <= 0 ? month.Cost : month.Cost / (decimal)elapsed,
                ElapsedFraction = elapsed,
                UnpricedRequests = month.UnpricedRequests,
                Currency = live.Currency,
            });
        }

        UsageMetrics.Render(page, snapshots);
        CostTracking.Render(page, new CostTracking.Data(now, daily, monthly, costs, byModel, snapshots.FirstOrDefault()?.Currency ?? "USD"));
        AlertConfig.Render(page, [.. keys.Where(k => top.Contains(k.Reference) || k.Limits.Limits.Count > 0).Take(TopKeys * 4)]);
        DashboardLayout.End(page);
        return 200;
    }

    private static UsageAggregate Empty(KeyReference key, Instant windowStart) => new() { Key = key, WindowStart = windowStart };
}
