using IronCage.AspNetCore.Endpoints;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>KeyListItem: one key's row (hint only, never a value) with its <see cref="KeyActions"/>.</summary>
internal static class KeyListItem
{
    public static void Render(DashboardPage page, ApiKeyView key)
    {
        var html = page.Html;
        var reference = KeyReference.Parse(key.Id);
        html.Raw("<tr><th scope=\"row\">").Link(page.Url(DashboardPage.KeyPath(reference)), key.Id).Raw("</th>")
            .Raw("<td><code>").Text(key.DisplayHint).Raw("</code></td>")
            .Cell(key.Stage)
            .Raw("<td>").Raw(Status(key)).Raw("</td>")
            .Cell(key.RotationSchedule ?? "on demand")
            .Raw("<td>").Text(HtmlWriter.Format(key.NextDueAt));
        if (key.Overdue)
        {
            html.Raw(" <span class=\"badge bad\">overdue</span>");
        }

        html.Raw("</td>").Cell(Usage(key.Usage)).Raw("<td class=\"actions\">");
        KeyActions.RenderCompact(page, reference);
        html.Raw("</td></tr>");
    }

    public static string Status(ApiKeyView key) => key.Active
        ? "<span class=\"badge ok\">active</span>"
        : key.Versions.Any(v => v.KilledAt is not null) ? "<span class=\"badge bad\">killed</span>" : "<span class=\"badge bad\">inactive</span>";

    public static string Usage(UsageView usage) => usage.Limit is { } limit
        ? $"{usage.Current:0.##} / {limit:0.##} {usage.Metric?.ToLowerInvariant()} per {usage.Window?.ToLowerInvariant()}"
        : $"{usage.Current:0} requests this month";
}
