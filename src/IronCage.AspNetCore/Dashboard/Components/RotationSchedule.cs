using IronCage.AspNetCore.Endpoints;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>RotationSchedule: the key's policy (schedule, window, grace) and a form to change the schedule.</summary>
internal static class RotationSchedule
{
    public static void Render(DashboardPage page, ManagedKey key, ApiKeyView view)
    {
        var html = page.Html;
        var policy = key.Policy;
        html.Raw("<div class=\"card\"><h3>Schedule</h3><dl class=\"summary\">")
            .Raw("<div><dt>Schedule</dt><dd>").Text(policy.Schedule?.Text ?? "on demand").Raw("</dd></div>")
            .Raw("<div><dt>Next rotation</dt><dd>").Text(HtmlWriter.Format(view.NextDueAt)).Raw(view.Overdue ? " <span class=\"badge bad\">overdue</span>" : string.Empty).Raw("</dd></div>")
            .Raw("<div><dt>Maintenance window</dt><dd>").Text(policy.Window is { } w ? $"{string.Join(", ", w.Days.Order())} {w.Start:HH':'mm} for {HtmlWriter.Format(w.Length)} ({w.Zone.Id})" : "any time").Raw("</dd></div>")
            .Raw("<div><dt>Grace period</dt><dd>").Text(policy.GracePeriod is { } g ? HtmlWriter.Format(g) : "default").Raw("</dd></div></dl>");
        html.Raw("<form method=\"post\" class=\"form-inline\"").Attr("action", page.Url(DashboardPage.KeyPath(key.Reference) + "/policy")).Raw(">");
        page.AntiforgeryField();
        html.Raw("<label for=\"rotationSchedule\">New schedule</label><input type=\"text\" id=\"rotationSchedule\" name=\"rotationSchedule\" placeholder=\"monthly, quarterly or P90D; empty for on demand\" aria-describedby=\"schedule-help\"");
        if (page.Error?.Field == "rotationSchedule")
        {
            html.Raw(" aria-invalid=\"true\"");
        }

        html.Raw("><button type=\"submit\" class=\"button secondary\">Save schedule</button></form><p id=\"schedule-help\" class=\"hint\">weekly, monthly, quarterly or an ISO 8601 period such as P30D.</p>");
        if (page.Error is { Field: "rotationSchedule" } error)
        {
            html.Raw("<p class=\"field-error\">").Text(error.Message).Raw("</p>");
        }

        html.Raw("</div>");
    }
}
