namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>AlertConfig: each key's usage limits and the fractions of them at which alerts are raised (read-only here; the admin API's <c>PUT .../limits</c> changes them, with MFA).</summary>
internal static class AlertConfig
{
    public static void Render(DashboardPage page, IReadOnlyList<ManagedKey> keys)
    {
        var html = page.Html;
        html.Raw("<section aria-labelledby=\"alerts-heading\"><h2 id=\"alerts-heading\">Alerts and limits</h2><div class=\"table-wrap\"><table id=\"alert-config\"><caption>Read-only: change limits with PUT /api/admin/api-keys/{id}/limits (needs MFA)</caption><thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Limits</th><th scope=\"col\">Alert at</th></tr></thead><tbody>");
        foreach (var key in keys)
        {
            var limits = key.Limits.Limits.Count == 0 ? "none" : string.Join("; ", key.Limits.Limits.Select(l => $"{l.Limit:0.##} {l.Metric.ToString().ToLowerInvariant()} per {l.Window.ToString().ToLowerInvariant()} ({l.Enforcement.ToString().ToLowerInvariant()})"));
            html.Raw("<tr><th scope=\"row\">").Text(key.Reference.ToString()).Raw("</th>").Cell(limits)
                .Cell(string.Join(", ", key.Limits.AlertThresholds.Select(t => t.ToString("P0", System.Globalization.CultureInfo.InvariantCulture)))).Raw("</tr>");
        }

        html.Raw("</tbody></table></div></section>");
    }
}
