using IronCage.Usage;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>UsageMetrics: tokens, requests and errors per key, today and this month, against the tightest limit.</summary>
internal static class UsageMetrics
{
    public static void Render(DashboardPage page, IReadOnlyList<KeyUsageSnapshot> snapshots)
    {
        var html = page.Html;
        html.Raw("<section aria-labelledby=\"metrics-heading\"><h2 id=\"metrics-heading\">Usage per key</h2>");
        if (snapshots.Count == 0)
        {
            html.Raw("<p class=\"empty\">No managed key yet.</p></section>");
            return;
        }

        html.Raw("<div class=\"table-wrap\"><table id=\"usage-metrics\"><caption>Today and this month (UTC)</caption><thead><tr><th scope=\"col\">Key</th><th scope=\"col\" class=\"num\">Requests today</th><th scope=\"col\" class=\"num\">Requests this month</th><th scope=\"col\" class=\"num\">Input tokens</th><th scope=\"col\" class=\"num\">Output tokens</th><th scope=\"col\" class=\"num\">Errors</th><th scope=\"col\" class=\"num\">Error rate</th><th scope=\"col\" class=\"num\">Cost</th><th scope=\"col\">Tightest limit</th></tr></thead><tbody>");
        foreach (var s in snapshots)
        {
            var month = s.Month;
            var tightest = s.Limits.OrderByDescending(l => l.FractionUsed).FirstOrDefault();
            html.Raw("<tr><th scope=\"row\">").Link(page.Url(DashboardPage.KeyPath(s.Key)), s.Key.ToString()).Raw("</th>")
                .Cell(HtmlWriter.Number(s.Day.Requests), "num").Cell(HtmlWriter.Number(month.Requests), "num")
                .Cell(HtmlWriter.Number(month.InputTokens), "num").Cell(HtmlWriter.Number(month.OutputTokens), "num")
                .Cell(HtmlWriter.Number(month.Errors), "num").Cell(month.ErrorRate.ToString("P1", System.Globalization.CultureInfo.InvariantCulture), "num")
                .Cell(HtmlWriter.Money(month.Cost, s.Currency), "num")
                .Cell(tightest is null ? "none" : $"{tightest.Used:0.##} of {tightest.Limit.Limit:0.##} {tightest.Limit.Metric.ToString().ToLowerInvariant()} per {tightest.Limit.Window.ToString().ToLowerInvariant()} ({tightest.FractionUsed:P0})")
                .Raw("</tr>");
        }

        html.Raw("</tbody></table></div></section>");
    }

    public static void RenderKey(DashboardPage page, KeyUsageSnapshot snapshot)
    {
        page.Html.Raw("<section aria-labelledby=\"key-usage-heading\"><h2 id=\"key-usage-heading\">Usage</h2><dl class=\"summary\">")
            .Raw("<div><dt>Requests today</dt><dd>").Text(HtmlWriter.Number(snapshot.Day.Requests)).Raw("</dd></div>")
            .Raw("<div><dt>Requests this month</dt><dd>").Text(HtmlWriter.Number(snapshot.Month.Requests)).Raw("</dd></div>")
            .Raw("<div><dt>Tokens this month</dt><dd>").Text(HtmlWriter.Number(snapshot.Month.TotalTokens)).Raw("</dd></div>")
            .Raw("<div><dt>Errors this month</dt><dd>").Text(HtmlWriter.Number(snapshot.Month.Errors)).Raw("</dd></div>")
            .Raw("<div><dt>Cost this month</dt><dd>").Text(HtmlWriter.Money(snapshot.Month.Cost, snapshot.Currency)).Raw("</dd></div></dl><p>")
            .Link(page.Url("/usage"), "Charts and cost by provider and model").Raw("</p></section>");
    }
}
