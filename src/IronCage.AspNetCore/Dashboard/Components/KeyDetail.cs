using IronCage.AspNetCore.Endpoints;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Usage;
using NodaTime;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>One key: its summary and versions, <see cref="KeyActions"/>, <see cref="KeyRotation"/>, <see cref="KeyLimits"/>, its usage this month and <see cref="DeleteKey"/>.</summary>
internal static class KeyDetail
{
    public static async Task<int> RenderAsync(DashboardPage page, KeyReference reference)
    {
        var key = await page.Service<IKeyStore>().GetAsync(reference, page.Aborted).ConfigureAwait(false);
        var usage = page.OptionalService<IUsageQuery>();
        var snapshot = usage is null ? null : await usage.GetCurrentUsageAsync(reference, page.Aborted).ConfigureAwait(false);
        var now = page.Service<IClock>().GetCurrentInstant();
        var view = AdminViews.Key(key, AdminViews.Usage(snapshot), now);
        var operations = new List<RotationOperation>();
        await foreach (var operation in page.Service<IRotationStore>().ListForKeyAsync(reference, page.Aborted).ConfigureAwait(false))
        {
            operations.Add(operation);
        }

        operations.Sort((a, b) => b.RequestedAt.CompareTo(a.RequestedAt));
        var active = operations.FirstOrDefault(o => !o.IsFinished);
        var html = page.Html;
        DashboardLayout.Begin(page, reference.ToString(), "keys");
        html.Raw("<p class=\"crumbs\">").Link(page.Url("/"), "Keys").Raw(" › ").Text(reference.ToString()).Raw("</p>")
            .Raw("<h1>").Text(reference.ToString()).Raw("</h1>")
            .Raw("<dl class=\"summary\">");
        Term(page, "Provider", view.Provider);
        Term(page, "Kind", view.Kind);
        Term(page, "Current hint", view.DisplayHint);
        Term(page, "Stage", view.Stage);
        html.Raw("<div><dt>Status</dt><dd>").Raw(KeyListItem.Status(view)).Raw("</dd></div>");
        Term(page, "Organization", view.OrganizationId);
        Term(page, "Created", HtmlWriter.Format(view.CreatedAt));
        Term(page, "Last used", HtmlWriter.Format(view.LastUsed));
        Term(page, "Expires", HtmlWriter.Format(view.ExpiresAt));
        Term(page, "Usage", KeyListItem.Usage(view.Usage));
        html.Raw("</dl>");

        KeyActions.Render(page, reference, view.Active, active);
        KeyRotation.Render(page, key, view, operations, active);
        KeyLimits.Render(page, key);
        if (snapshot is not null)
        {
            UsageMetrics.RenderKey(page, snapshot);
        }

        DeleteKey.Render(page, key, active);

        DashboardLayout.End(page);
        return page.Error?.Status ?? 200;
    }

    private static void Term(DashboardPage page, string term, string? value)
        => page.Html.Raw("<div><dt>").Text(term).Raw("</dt><dd>").Text(string.IsNullOrEmpty(value) ? "—" : value).Raw("</dd></div>");
}
