using System.Globalization;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>
/// KeyLimits: the key's usage limits as an editable table (metric, window, limit, enforcement), one empty row to add a
/// limit; a cleared value removes its limit. Posts to <c>.../limits</c> (permission <c>keys.limits</c>, MFA step-up).
/// After a refused submission the posted rows are shown again with the error next to its field.
/// </summary>
internal static class KeyLimits
{
    private static readonly (string Value, string Label)[] Metrics = [("requests", "Requests"), ("tokens", "Tokens"), ("inputtokens", "Input tokens"), ("outputtokens", "Output tokens"), ("cost", "Cost")];
    private static readonly (string Value, string Label)[] Windows = [("minute", "Minute"), ("hour", "Hour"), ("day", "Day"), ("month", "Month")];
    private static readonly (string Value, string Label)[] Enforcements = [("soft", "Soft: alerts only"), ("hard", "Hard: stop serving")];

    public static void Render(DashboardPage page, ManagedKey key)
    {
        var html = page.Html;
        var rows = Rows(page, key);
        html.Raw("<section aria-labelledby=\"key-limits-heading\" class=\"card\"><h2 id=\"key-limits-heading\">Usage limits</h2>")
            .Raw("<p class=\"hint\" id=\"limits-help\">Soft limits raise alerts at the thresholds below; hard limits stop serving the key until the window resets (a pool fails over). Clear a value to remove its limit. Saving needs multi-factor sign-in.</p>");
        html.Raw("<form method=\"post\" id=\"limits-form\" autocomplete=\"off\"").Attr("action", page.Url(DashboardPage.KeyPath(key.Reference) + "/limits")).Raw(">");
        page.AntiforgeryField();
        html.Raw("<div class=\"table-wrap\"><table id=\"limits\"").Raw(page.Error?.Field == "limits" ? " aria-invalid=\"true\" aria-describedby=\"limits-error\"" : string.Empty).Raw(">")
            .Raw("<caption>").Text(key.Limits.Limits.Count == 0 ? "No limit yet: fill the empty row to add one." : $"{key.Limits.Limits.Count} limit{(key.Limits.Limits.Count == 1 ? string.Empty : "s")}; the last row adds one.").Raw("</caption>")
            .Raw("<thead><tr><th scope=\"col\">Metric</th><th scope=\"col\">Per</th><th scope=\"col\">Limit</th><th scope=\"col\">Enforcement</th></tr></thead><tbody>");
        for (var row = 0; row < rows.Count; row++)
        {
            var (metric, window, limit, enforcement) = rows[row];
            var n = LimitsHandlers.Row(row);
            var label = row < rows.Count - 1 || limit.Length > 0 ? $"limit {row + 1}" : "the new limit";
            html.Raw("<tr><td>");
            Select(page, "metric", n, Metrics, metric, "Metric of " + label);
            html.Raw("</td><td>");
            Select(page, "window", n, Windows, window, "Window of " + label);
            html.Raw("</td><td class=\"limit-cell\"><input type=\"text\" inputmode=\"decimal\" name=\"limit\" class=\"limit-value\"").Attr("id", "limit-" + n).Attr("value", limit).Attr("aria-label", "Value of " + label).Attr("placeholder", "empty: no limit");
            Invalid(page, "limit-" + n);
            html.Raw(">");
            FieldError(page, "limit-" + n);
            html.Raw("</td><td>");
            Select(page, "enforcement", n, Enforcements, enforcement, "Enforcement of " + label);
            html.Raw("</td></tr>");
        }

        html.Raw("</tbody></table></div>");
        FieldError(page, "limits");
        html.Raw("<p class=\"hint\">Alert at ").Text(Thresholds(key)).Raw(" of each limit (change it on the ").Link(page.Url("/usage?key=" + Uri.EscapeDataString(key.Reference.ToString()) + "#alert-config"), "usage page").Raw(").</p>")
            .Raw("<div class=\"action-row\"><button type=\"submit\" class=\"button\">Save limits</button></div></form></section>");
    }

    public static string Thresholds(ManagedKey key) => key.Limits.AlertThresholds.Count == 0
        ? "no threshold"
        : string.Join(", ", key.Limits.AlertThresholds.Select(t => (t * 100m).ToString("0.##", CultureInfo.InvariantCulture) + "%"));

    private static List<(string Metric, string Window, string Limit, string Enforcement)> Rows(DashboardPage page, ManagedKey key)
    {
        var rows = new List<(string, string, string, string)>();
        if (page.Form is { } form && page.Error?.Field is { } field && IsLimitsField(field))
        {
            var values = form["limit"];
            for (var i = 0; i < values.Count; i++)
            {
                rows.Add((At(form["metric"], i), At(form["window"], i), values[i] ?? string.Empty, At(form["enforcement"], i)));
            }

            return rows;
        }

        foreach (var limit in key.Limits.Limits)
        {
            rows.Add((limit.Metric.ToString().ToLowerInvariant(), limit.Window.ToString().ToLowerInvariant(), limit.Limit.ToString("0.####", CultureInfo.InvariantCulture), limit.Enforcement.ToString().ToLowerInvariant()));
        }

        rows.Add(("requests", "day", string.Empty, "soft"));
        return rows;
    }

    private static bool IsLimitsField(string field)
        => field == "limits" || field.StartsWith("limit-", StringComparison.Ordinal) || field.StartsWith("metric-", StringComparison.Ordinal) || field.StartsWith("window-", StringComparison.Ordinal) || field.StartsWith("enforcement-", StringComparison.Ordinal);

    private static string At(Microsoft.Extensions.Primitives.StringValues values, int i) => i < values.Count ? values[i] ?? string.Empty : string.Empty;

    private static void Select(DashboardPage page, string name, string row, (string Value, string Label)[] options, string selected, string label)
    {
        var html = page.Html;
        html.Raw("<select").Attr("name", name).Attr("id", name + "-" + row).Attr("aria-label", label);
        Invalid(page, name + "-" + row);
        html.Raw(">");
        foreach (var (value, text) in options)
        {
            html.Raw("<option").Attr("value", value);
            if (string.Equals(value, selected.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase))
            {
                html.Raw(" selected");
            }

            html.Raw(">").Text(text).Raw("</option>");
        }

        html.Raw("</select>");
        FieldError(page, name + "-" + row);
    }

    private static void Invalid(DashboardPage page, string field)
    {
        if (page.Error?.Field == field)
        {
            page.Html.Raw(" aria-invalid=\"true\"").Attr("aria-describedby", field + "-error");
        }
    }

    private static void FieldError(DashboardPage page, string field)
    {
        if (page.Error is { } error && error.Field == field)
        {
            page.Html.Raw("<p class=\"field-error\" role=\"alert\"").Attr("id", field + "-error").Raw(">").Text(error.Message).Raw(error.Fix is null ? string.Empty : " ").Text(error.Fix).Raw("</p>");
        }
    }
}
