using System.Globalization;
using IronCage.AspNetCore.Endpoints;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>
/// KeyFilters: the key list's filters as a GET form (provider, label, stage, overdue: the admin API's <c>GET /api-keys</c>
/// filters), so the state is in the query string, a filtered page can be bookmarked, and the form works from the
/// keyboard without script. The pager keeps the filters.
/// </summary>
internal static class KeyFilters
{
    private static readonly string[] Stages = ["current", "pending", "previous", "revoked"];

    /// <summary>The filter and the page shown.</summary>
    public sealed record Listing(KeyListFilter Filter, int PageSize, int Page, int Pages, int Total);

    public static void Render(DashboardPage page, Listing listing)
    {
        var html = page.Html;
        var filter = listing.Filter;
        var providers = page.Service<IronCage.Providers.IProviderCatalog>().All.OrderBy(d => d.DisplayName, StringComparer.OrdinalIgnoreCase);
        html.Raw("<form method=\"get\" id=\"key-filters\" class=\"filters\" role=\"search\" aria-label=\"Filter the keys\"").Attr("action", page.Url("/")).Raw(">");
        html.Raw("<div class=\"field\"><label for=\"filter-provider\">Provider</label><select id=\"filter-provider\" name=\"provider\"><option value=\"\">Any provider</option>");
        foreach (var descriptor in providers)
        {
            Option(page, descriptor.Id.Value, descriptor.DisplayName, filter.Provider);
        }

        html.Raw("</select></div>")
            .Raw("<div class=\"field\"><label for=\"filter-label\">Label</label><input type=\"text\" id=\"filter-label\" name=\"label\" placeholder=\"env or env=prod\" aria-describedby=\"filter-label-help\"").Attr("value", filter.Label ?? string.Empty).Raw(">")
            .Raw("<span class=\"visually-hidden\" id=\"filter-label-help\">A label name, or name=value.</span></div>");
        html.Raw("<div class=\"field\"><label for=\"stage\">Stage</label><select id=\"stage\" name=\"stage\"").Raw(page.Error?.Field == "stage" ? " aria-invalid=\"true\" aria-describedby=\"stage-error\"" : string.Empty).Raw("><option value=\"\">Any stage</option>");
        foreach (var stage in Stages)
        {
            Option(page, stage, "Has a " + stage + " version", filter.Stage?.ToString().ToLowerInvariant());
        }

        html.Raw("</select>");
        if (page.Error is { Field: "stage" } error)
        {
            html.Raw("<p class=\"field-error\" id=\"stage-error\">").Text(error.Message).Raw(" ").Text(error.Fix).Raw("</p>");
        }

        html.Raw("</div>")
            .Raw("<div class=\"field\"><label for=\"filter-overdue\">Rotation</label><select id=\"filter-overdue\" name=\"overdue\"><option value=\"\">Overdue or not</option>");
        Option(page, "true", "Overdue only", filter.Overdue?.ToString().ToLowerInvariant());
        Option(page, "false", "Not overdue", filter.Overdue?.ToString().ToLowerInvariant());
        html.Raw("</select></div>");
        if (listing.PageSize != KeyManagement.PageSize)
        {
            html.Raw("<input type=\"hidden\" name=\"pageSize\"").Attr("value", listing.PageSize.ToString(CultureInfo.InvariantCulture)).Raw(">");
        }

        html.Raw("<div class=\"field submit\"><button type=\"submit\" class=\"button secondary\">Apply filters</button>");
        if (IsFiltered(filter))
        {
            html.Raw(" ").Link(page.Url("/"), "Clear filters", "button secondary");
        }

        html.Raw("</div></form>");
    }

    /// <summary>The list's URL for page <paramref name="number"/> with the same filters.</summary>
    public static string PageUrl(DashboardPage page, Listing listing, int number)
    {
        var parts = new List<string>();
        Add(parts, "provider", listing.Filter.Provider);
        Add(parts, "label", listing.Filter.Label);
        Add(parts, "stage", listing.Filter.Stage?.ToString().ToLowerInvariant());
        Add(parts, "overdue", listing.Filter.Overdue?.ToString().ToLowerInvariant());
        if (listing.PageSize != KeyManagement.PageSize)
        {
            Add(parts, "pageSize", listing.PageSize.ToString(CultureInfo.InvariantCulture));
        }

        Add(parts, "page", number.ToString(CultureInfo.InvariantCulture));
        return page.Url("/?" + string.Join('&', parts));
    }

    public static bool IsFiltered(KeyListFilter filter) => filter.Provider is not null || filter.Label is not null || filter.Stage is not null || filter.Overdue is not null;

    private static void Add(List<string> parts, string name, string? value)
    {
        if (value is not null)
        {
            parts.Add(name + "=" + Uri.EscapeDataString(value));
        }
    }

    private static void Option(DashboardPage page, string value, string label, string? selected)
    {
        page.Html.Raw("<option").Attr("value", value);
        if (string.Equals(value, selected, StringComparison.OrdinalIgnoreCase))
        {
            page.Html.Raw(" selected");
        }

        page.Html.Raw(">").Text(label).Raw("</option>");
    }
}
