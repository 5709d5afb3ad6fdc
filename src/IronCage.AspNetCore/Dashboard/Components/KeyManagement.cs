using IronCage.AspNetCore.Endpoints;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Usage;
using NodaTime;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>KeyManagement: the rotations in progress (live), the KeyList and the KeyEditor.</summary>
internal static class KeyManagement
{
    /// <summary>Keys per page of the list (usage is read for the shown page only).</summary>
    public const int PageSize = 50;

    public static async Task<int> RenderAsync(DashboardPage page)
    {
        var keys = page.Service<IKeyStore>();
        var usage = page.OptionalService<IUsageQuery>();
        var now = page.Service<IClock>().GetCurrentInstant();
        var all = new List<ManagedKey>();
        await foreach (var key in keys.ListAsync(cancellationToken: page.Aborted).ConfigureAwait(false))
        {
            all.Add(key);
        }

        all.Sort((a, b) => string.CompareOrdinal(a.Reference.ToString(), b.Reference.ToString()));
        var pages = Math.Max(1, (all.Count + PageSize - 1) / PageSize);
        var number = int.TryParse(page.Http.Request.Query["page"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var asked) ? Math.Clamp(asked, 1, pages) : 1;
        var views = new List<ApiKeyView>();
        foreach (var key in all.Skip((number - 1) * PageSize).Take(PageSize))
        {
            var snapshot = usage is null ? null : await usage.GetCurrentUsageAsync(key.Reference, page.Aborted).ConfigureAwait(false);
            views.Add(AdminViews.Key(key, AdminViews.Usage(snapshot), now));
        }

        var active = new List<RotationOperation>();
        await foreach (var operation in page.Service<IRotationStore>().ListActiveAsync(page.Aborted).ConfigureAwait(false))
        {
            active.Add(operation);
        }

        DashboardLayout.Begin(page, "Key management", "keys");
        page.Html.Raw("<h1>Key management</h1>");
        LiveRotations.RenderActive(page, active);
        KeyList.Render(page, views, all.Count, number, pages);
        KeyEditor.Render(page);
        DashboardLayout.End(page);
        return page.Error?.Status ?? 200;
    }
}
