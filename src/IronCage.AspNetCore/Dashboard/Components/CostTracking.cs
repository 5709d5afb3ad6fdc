using IronCage.Usage;
using NodaTime;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>CostTracking: daily and monthly cost charts (inline SVG), current vs projected per key, and cost by provider and by model.</summary>
internal static class CostTracking
{
    public static void Render(DashboardPage page, Data data)
    {
        var html = page.Html;
        html.Raw("<section aria-labelledby=\"cost-heading\"><h2 id=\"cost-heading\">Cost</h2><div class=\"charts\">");
        var days = Enumerable.Range(0, 30).Select(i => (data.Now - Duration.FromDays(29 - i)).InUtc().Date).ToList();
        var dailyCost = data.Daily.GroupBy(a => a.WindowStart.InUtc().Date).ToDictionary(g => g.Key, g => g.Sum(a => a.Cost));
        BarChart.Render(page, "chart-daily", "Daily cost, last 30 days", data.Currency, [.. days.Select(d => new BarChart.Bar(d.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture), dailyCost.GetValueOrDefault(d)))]);
        var months = data.Monthly.GroupBy(a => a.WindowStart.InUtc().Date.ToYearMonth()).OrderBy(g => g.Key).Select(g => new BarChart.Bar(g.Key.ToString("uuuu-MM", System.Globalization.CultureInfo.InvariantCulture), g.Sum(a => a.Cost))).ToList();
        BarChart.Render(page, "chart-monthly", "Monthly cost", data.Currency, months);
        html.Raw("</div>");

        html.Raw("<h3>Current vs projected this month</h3><div class=\"table-wrap\"><table id=\"cost-projection\"><caption>Projected = current cost extrapolated to the end of the month</caption><thead><tr><th scope=\"col\">Key</th><th scope=\"col\" class=\"num\">Current</th><th scope=\"col\" class=\"num\">Projected</th><th scope=\"col\">Current / projected</th></tr></thead><tbody>");
        var max = data.Costs.Select(c => c.ProjectedCost).DefaultIfEmpty(0m).Max();
        foreach (var cost in data.Costs)
        {
            html.Raw("<tr><th scope=\"row\">").Text(cost.Key.ToString()).Raw("</th>")
                .Cell(HtmlWriter.Money(cost.Cost, cost.Currency), "num").Cell(HtmlWriter.Money(cost.ProjectedCost, cost.Currency), "num")
                .Raw("<td>").Raw(ProjectionBar(cost, max)).Raw("</td></tr>");
        }

        html.Raw("</tbody></table></div>");
        Breakdown(page, "By provider", "cost-by-provider", data.ByModel.GroupBy(a => a.Key.Provider.Value), data.Currency);
        Breakdown(page, "By model", "cost-by-model", data.ByModel.GroupBy(a => a.Model ?? "(unknown model)"), data.Currency);
        html.Raw("</section>");
    }

    private static string ProjectionBar(CostProjection cost, decimal max)
    {
        const double Width = 220;
        var scale = max <= 0 ? 0 : Width / (double)max;
        var projected = Math.Max(1, (double)cost.ProjectedCost * scale);
        var current = Math.Max(1, (double)cost.Cost * scale);
        return $"<svg class=\"projection\" width=\"{HtmlWriter.Svg(Width)}\" height=\"16\" role=\"img\" aria-label=\"{System.Net.WebUtility.HtmlEncode($"{cost.Key}: {cost.Cost:0.##} of a projected {cost.ProjectedCost:0.##} {cost.Currency}")}\">"
            + $"<rect class=\"projected\" x=\"0\" y=\"2\" width=\"{HtmlWriter.Svg(projected)}\" height=\"12\"/><rect class=\"current\" x=\"0\" y=\"2\" width=\"{HtmlWriter.Svg(current)}\" height=\"12\"/></svg>";
    }

    private static void Breakdown(DashboardPage page, string title, string id, IEnumerable<IGrouping<string, UsageAggregate>> groups, string currency)
    {
        var html = page.Html;
        var rows = groups.Select(g => (Name: g.Key, Requests: g.Sum(a => a.Requests), Tokens: g.Sum(a => a.TotalTokens), Cost: g.Sum(a => a.Cost))).OrderByDescending(r => r.Cost).ToList();
        html.Raw("<h3>").Text(title).Raw(" this month</h3>");
        if (rows.Count == 0)
        {
            html.Raw("<p class=\"empty\">No usage recorded this month.</p>");
            return;
        }

        html.Raw("<div class=\"table-wrap\"><table").Attr("id", id).Raw("><thead><tr><th scope=\"col\">").Text(title[3..]).Raw("</th><th scope=\"col\" class=\"num\">Requests</th><th scope=\"col\" class=\"num\">Tokens</th><th scope=\"col\" class=\"num\">Cost</th></tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Raw("<tr><th scope=\"row\">").Text(row.Name).Raw("</th>").Cell(HtmlWriter.Number(row.Requests), "num").Cell(HtmlWriter.Number(row.Tokens), "num").Cell(HtmlWriter.Money(row.Cost, currency), "num").Raw("</tr>");
        }

        html.Raw("</tbody></table></div>");
    }

    /// <summary>What the charts and tables show.</summary>
    internal sealed record Data(Instant Now, IReadOnlyList<UsageAggregate> Daily, IReadOnlyList<UsageAggregate> Monthly, IReadOnlyList<CostProjection> Costs, IReadOnlyList<UsageAggregate> ByModel, string Currency);
}
