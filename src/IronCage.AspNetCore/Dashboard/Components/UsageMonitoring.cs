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
        var snapshots = new List<KeyUsageSnapshot>();
        var costs = new List<CostProjection>();
        foreach (var key in keys)
        {
            snapshots.Add(await usage.GetCurrentUsageAsync(key.Reference, page.Aborted).ConfigureAwait(false));
            costs.Add(await usage.GetCostAsync(key.Reference, UsageWindow.Month, page.Aborted).ConfigureAwait(false));
        }

        var daily = await usage.GetHistoryAsync(null, UsageWindow.Day, now - Duration.FromDays(30), now, byModel: false, page.Aborted).ConfigureAwait(false);
        var monthly = await usage.GetHistoryAsync(null, UsageWindow.Month, now - Duration.FromDays(366), now, byModel: false, page.Aborted).ConfigureAwait(false);
        var monthStart = costs.Count > 0 ? costs[0].PeriodStart : now - Duration.FromDays(30);
        var byModel = await usage.GetHistoryAsync(null, UsageWindow.Month, monthStart, now, byModel: true, page.Aborted).ConfigureAwait(false);

        // The per-key tables show the keys with the most use this month; the charts and breakdowns cover every key.
        var top = snapshots.OrderByDescending(s => s.Month.Cost).ThenByDescending(s => s.Month.Requests).ThenBy(s => s.Key.ToString(), StringComparer.Ordinal).Take(TopKeys).Select(s => s.Key).ToHashSet();
        if (keys.Count > TopKeys)
        {
            page.Html.Raw("<p class=\"hint\">").Text($"The tables per key show the {TopKeys} keys with the most use this month, of {keys.Count}; the charts and the breakdowns cover every key.").Raw("</p>");
        }

        UsageMetrics.Render(page, [.. snapshots.Where(s => top.Contains(s.Key)).OrderBy(s => s.Key.ToString(), StringComparer.Ordinal)]);
        CostTracking.Render(page, new CostTracking.Data(now, daily, monthly, [.. costs.Where(c => top.Contains(c.Key))], byModel, snapshots.FirstOrDefault()?.Currency ?? "USD"));
        AlertConfig.Render(page, [.. keys.Where(k => top.Contains(k.Reference) || k.Limits.Limits.Count > 0).Take(TopKeys * 4)]);
        DashboardLayout.End(page);
        return 200;
    }
}
