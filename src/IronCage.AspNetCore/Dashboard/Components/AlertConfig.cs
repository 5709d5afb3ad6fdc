namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>
/// AlertConfig: each key's usage limits and the percentages of them at which alerts are raised, with a form per key to
/// change the thresholds (posts to <c>.../alerts</c>: permission <c>keys.limits</c> and MFA step-up, as
/// <c>PUT .../limits</c>). The limits themselves are edited on the key's page.
/// </summary>
internal static class AlertConfig
{
    public static void Render(DashboardPage page, IReadOnlyList<ManagedKey> keys)
    {
        var html = page.Html;
        html.Raw("<section aria-labelledby=\"alerts-heading\"><h2 id=\"alerts-heading\">Alerts and limits</h2>")
            .Raw("<p class=\"hint\" id=\"alerts-help\">Alerts are raised when use reaches these percentages of a limit: write them comma separated, such as 80, 95 (empty: no alerts). Saving needs multi-factor sign-in. Edit the limits on each key's page.</p>")
            .Raw("<div class=\"table-wrap\"><table id=\"alert-config\"><caption>Alert thresholds per key</caption><thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Limits</th><th scope=\"col\">Alert at</th></tr></thead><tbody>");
        foreach (var key in keys)
        {
            var limits = key.Limits.Limits.Count == 0 ? "none" : string.Join("; ", key.Limits.Limits.Select(l => $"{l.Limit:0.##} {l.Metric.ToString().ToLowerInvariant()} per {l.Window.ToString().ToLowerInvariant()} ({l.Enforcement.ToString().ToLowerInvariant()})"));
            var field = LimitsHandlers.AlertField(key.Reference);
            var failed = page.Error?.Field == field;
            var posted = failed ? page.Form?["alertThresholds"].ToString() : null;
            html.Raw("<tr><th scope=\"row\">").Link(page.Url(DashboardPage.KeyPath(key.Reference)), key.Reference.ToString()).Raw("</th>").Cell(limits).Raw("<td>")
                .Raw("<form method=\"post\" class=\"form-inline compact\"").Attr("action", page.Url(DashboardPage.KeyPath(key.Reference) + "/alerts")).Raw(">");
            page.AntiforgeryField();
            html.Raw("<input type=\"text\" name=\"alertThresholds\" inputmode=\"decimal\" size=\"10\"").Attr("id", field).Attr("value", posted ?? Percentages(key))
                .Attr("aria-label", "Alert thresholds of " + key.Reference + ", in percent").Attr("aria-describedby", failed ? field + "-error alerts-help" : "alerts-help");
            if (failed)
            {
                html.Raw(" aria-invalid=\"true\"");
            }

            html.Raw("><button type=\"submit\" class=\"button secondary\">Save<span class=\"visually-hidden\"> ").Text("alerts of " + key.Reference).Raw("</span></button></form>");
            if (failed && page.Error is { } error)
            {
                html.Raw("<p class=\"field-error\" role=\"alert\"").Attr("id", field + "-error").Raw(">").Text(error.Message).Raw(error.Fix is null ? string.Empty : " ").Text(error.Fix).Raw("</p>");
            }

            html.Raw("</td></tr>");
        }

        html.Raw("</tbody></table></div></section>");
    }

    private static string Percentages(ManagedKey key)
        => string.Join(", ", key.Limits.AlertThresholds.Select(t => (t * 100m).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)));
}
