using IronCage.AspNetCore.Endpoints;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Usage;
using NodaTime;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>KeyManagement: the rotations in progress (live), the KeyList and the KeyEditor.</summary>
internal static class KeyManagement
{
    public static async Task<int> RenderAsync(DashboardPage page)
    {
        var keys = page.Service<IKeyStore>();
        var usage = page.OptionalService<IUsageQuery>();
        var now = page.Service<IClock>().GetCurrentInstant();
        var views = new List<ApiKeyView>();
        await foreach (var key in keys.ListAsync(cancellationToken: page.Aborted).ConfigureAwait(false))
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
        KeyList.Render(page, [.. views.OrderBy(v => v.Id, StringComparer.Ordinal)]);
        KeyEditor.Render(page);
        DashboardLayout.End(page);
        return page.Error?.Status ?? 200;
    }
}
