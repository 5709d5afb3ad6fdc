using IronCage.Storage;
using IronCage.Usage;
using NodaTime;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>UsageMonitoring: <see cref="UsageMetrics"/> per key, <see cref="CostTracking"/> (daily and monthly charts, current vs projected, by provider and model) and <see cref="AlertConfig"/>.</summary>
internal static class UsageMonitoring
{
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

        UsageMetrics.Render(page, snapshots);
        CostTracking.Render(page, new CostTracking.Data(now, daily, monthly, costs, byModel, snapshots.FirstOrDefault()?.Currency ?? "USD"));
        AlertConfig.Render(page, keys);
        DashboardLayout.End(page);
        return 200;
    }
}
