using System.Globalization;
using IronCage.AspNetCore.Endpoints;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Usage;
using Microsoft.AspNetCore.Http;
using NodaTime;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>KeyManagement: the rotations in progress (live), the <see cref="KeyFilters"/>, the KeyList and the KeyEditor.</summary>
internal static class KeyManagement
{
    /// <summary>Keys per page of the list unless the query asks for another size (usage is read for the shown page only).</summary>
    public const int PageSize = KeyListFilter.DefaultPageSize;

    public static async Task<int> RenderAsync(DashboardPage page)
    {
        var query = page.Http.Request.Query;
        var status = StatusCodes.Status200OK;
        if (!KeyListFilter.TryParseStage(query["stage"], out var stage))
        {
            page.Error ??= new DashboardError(StatusCodes.Status400BadRequest, "Unknown stage.", $"'{query["stage"]}' is not a stage; the filter was not applied.", "stage", "Choose current, pending, previous or revoked.");
            status = StatusCodes.Status400BadRequest;
        }

        var filter = new KeyListFilter(Text(query["provider"]), Text(query["label"]), stage, query["overdue"].ToString() switch { "true" => true, "false" => false, _ => null });
        var size = Number(query["pageSize"]) is { } askedSize ? Math.Clamp(askedSize, 1, KeyListFilter.MaxPageSize) : PageSize;
        var now = page.Service<IClock>().GetCurrentInstant();
        var (found, number) = await filter.PageAsync(page.Service<IKeyStore>(), now, Math.Max(Number(query["page"]) ?? 1, 1), size, clampToLast: true, page.Aborted).ConfigureAwait(false);
        var pages = Math.Max(1, (found.Total + size - 1) / size);
        var usage = page.OptionalService<IUsageQuery>();
        var views = new List<ApiKeyView>();
        foreach (var key in found.Keys)
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
        var listing = new KeyFilters.Listing(filter, size, number, pages, found.Total);
        page.Html.Raw("<section aria-labelledby=\"keys-heading\"><h2 id=\"keys-heading\">Keys</h2>");
        KeyFilters.Render(page, listing);
        KeyList.Render(page, views, listing);
        page.Html.Raw("</section>");
        KeyEditor.Render(page);
        DashboardLayout.End(page);
        return page.Error?.Status ?? status;
    }

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static int? Number(string? value) => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;
}
