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
        var store = page.Service<IKeyStore>();

        // Every number on the page comes from the store (this instance flushed first), so the per-key tables add up to
        // the charts and the breakdowns; the live counters only say where each key stands against its limits.
        var daily = await usage.GetHistoryAsync(null, UsageWindow.Day, now - Duration.FromDays(30), now, byModel: false, page.Aborted).ConfigureAwait(false);
        var monthly = await usage.GetHistoryAsync(null, UsageWindow.Month, now - Duration.FromDays(366), now, byModel: false, page.Aborted).ConfigureAwait(false);
        var (monthStart, monthEnd) = (now.InUtc().Date.With(DateAdjusters.StartOfMonth).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant(), now.InUtc().Date.With(DateAdjusters.StartOfMonth).PlusMonths(1).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant());
        var dayStart = now.InUtc().Date.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        var thisMonth = monthly.Where(a => a.WindowStart == monthStart).ToDictionary(a => a.Key);
        var today = daily.Where(a => a.WindowStart == dayStart).ToDictionary(a => a.Key);
        var byModel = await usage.GetHistoryAsync(null, UsageWindow.Month, monthStart, now, byModel: true, page.Aborted).ConfigureAwait(false);

        // The per-key tables show the keys with the most use this month (read one by one, never the whole store), filled
        // up with the first keys by name when fewer have been used; the charts and breakdowns cover every key.
        var first = await store.ListPageAsync(new KeyListQuery { Limit = TopKeys }, page.Aborted).ConfigureAwait(false);
        var keys = new List<ManagedKey>();
        foreach (var reference in thisMonth.Values
            .OrderByDescending(a => a.Cost).ThenByDescending(a => a.Requests).ThenBy(a => a.Key.ToString(), StringComparer.Ordinal)
            .Select(a => a.Key).Take(TopKeys))
        {
            if (await store.FindAsync(reference, page.Aborted).ConfigureAwait(false) is { } found)
            {
                keys.Add(found);
            }
        }

        keys.AddRange(first.Keys.Where(k => !keys.Exists(t => t.Reference == k.Reference)).Take(TopKeys - keys.Count));
        if (first.Total > keys.Count)
        {
            page.Html.Raw("<p class=\"hint\">").Text($"The tables per key show the {keys.Count} keys with the most use this month, of {first.Total}; the charts and the breakdowns cover every key. Any key's alerts can be changed from its page.").Raw("</p>");
        }

        // The key an operator came from (its page links here with ?key=) or whose alert form was refused: always shown.
        var focus = await FocusAsync(page, store).ConfigureAwait(false);
        var alerts = focus is null || keys.Exists(k => k.Reference == focus.Reference) ? keys : [focus, .. keys];

        var elapsed = (double)(now - monthStart).TotalTicks / (monthEnd - monthStart).TotalTicks;
        var snapshots = new List<KeyUsageSnapshot>();
        var costs = new List<CostProjection>();
        foreach (var key in keys)
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
        AlertConfig.Render(page, alerts);
        DashboardLayout.End(page);
        return 200;
    }

    /// <summary>The key named by <c>?key=provider/name</c>, or the one whose alerts form was posted; <see langword="null"/> when none or unknown.</summary>
    private static async Task<ManagedKey?> FocusAsync(DashboardPage page, IKeyStore store)
    {
        var request = page.Http.Request;
        var reference = request.RouteValues.TryGetValue("provider", out var provider) && request.RouteValues.TryGetValue("name", out var name)
            ? $"{provider}/{name}"
            : request.Query["key"].ToString();
        return KeyReference.TryParse(reference, out var key) ? await store.FindAsync(key, page.Aborted).ConfigureAwait(false) : null;
    }

    private static UsageAggregate Empty(KeyReference key, Instant windowStart) => new() { Key = key, WindowStart = windowStart };
}
