using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Storage;
using NodaTime;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>Rotation debt: due, overdue and person-driven (manual, semi-automatic) keys, oldest current key first, with the provider's console link and an escalation mark.</summary>
internal static class RotationDebt
{
    private static readonly Duration EscalateAfter = Duration.FromDays(7);

    public static async Task<int> RenderAsync(DashboardPage page)
    {
        var now = page.Service<IClock>().GetCurrentInstant();
        var plan = await page.Service<IKeyRotator>().PlanAsync(now, page.Aborted).ConfigureAwait(false);
        var catalog = page.Service<IProviderCatalog>();
        var keys = page.Service<IKeyStore>();
        var rows = new List<(PlannedRotation Item, Duration? Age, Uri? Console)>();
        foreach (var item in plan.Items.Where(i => i.IsDue || i.Tier is RotationTier.Manual or RotationTier.SemiAutomatic))
        {
            var key = await keys.FindAsync(item.Key, page.Aborted).ConfigureAwait(false);
            var since = key?.CurrentVersion is { } current ? current.ActivatedAt ?? current.CreatedAt : (Instant?)null;
            rows.Add((item, since is { } s ? now - s : null, catalog.TryGetDescriptor(item.Key.Provider, out var d) ? d.ConsoleUrl : null));
        }

        var html = page.Html;
        DashboardLayout.Begin(page, "Rotation debt", "debt");
        html.Raw("<h1>Rotation debt</h1><p class=\"hint\">Keys a person has to rotate (manual and semi-automatic providers) and keys past their schedule, oldest current key first.</p>");
        if (rows.Count == 0)
        {
            html.Raw("<p class=\"empty\">No rotation debt.</p>");
        }
        else
        {
            html.Raw("<div class=\"table-wrap\"><table id=\"rotation-debt\"><caption>").Text($"{rows.Count} key{(rows.Count == 1 ? string.Empty : "s")}").Raw("</caption><thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Tier</th><th scope=\"col\">Current key age</th><th scope=\"col\">Due</th><th scope=\"col\">State</th><th scope=\"col\">What to do</th><th scope=\"col\">Console</th></tr></thead><tbody>");
            foreach (var (item, age, console) in rows.OrderByDescending(r => r.Age ?? Duration.Zero))
            {
                var overdueBy = item.DueAt is { } due && due <= now ? now - due : (Duration?)null;
                html.Raw("<tr><th scope=\"row\">").Link(page.Url(DashboardPage.KeyPath(item.Key)), item.Key.ToString()).Raw("</th>")
                    .Cell(item.Tier.ToString()).Cell(HtmlWriter.Format(age)).Cell(item.DueAt)
                    .Raw("<td>").Raw(overdueBy is { } by && by >= EscalateAfter ? "<span class=\"badge bad\">escalate</span>" : item.IsDue ? "<span class=\"badge warn\">due</span>" : "<span class=\"badge\">manual</span>").Raw("</td>")
                    .Cell(item.Detail).Raw("<td>");
                if (console is not null)
                {
                    html.Raw("<a rel=\"noopener noreferrer\" target=\"_blank\"").Attr("href", console.ToString()).Raw(">").Text("Open console").Raw("<span class=\"visually-hidden\"> for ").Text(item.Key.ToString()).Raw(" (new tab)</span></a>");
                }

                html.Raw("</td></tr>");
            }

            html.Raw("</tbody></table></div>");
        }

        DashboardLayout.End(page);
        return 200;
    }
}
