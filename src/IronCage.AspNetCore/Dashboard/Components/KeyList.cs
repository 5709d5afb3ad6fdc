using System.Globalization;
using IronCage.AspNetCore.Endpoints;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>KeyList: the keys of the shown page as <see cref="KeyListItem"/> rows, and the pager (links that keep the filters).</summary>
internal static class KeyList
{
    public static void Render(DashboardPage page, IReadOnlyList<ApiKeyView> keys, KeyFilters.Listing listing)
    {
        var html = page.Html;
        if (listing.Total == 0)
        {
            html.Raw("<p class=\"empty\" id=\"key-list-empty\">").Text(KeyFilters.IsFiltered(listing.Filter) ? "No managed key matches the filters." : "No managed key yet. Add one below.").Raw("</p>");
            return;
        }

        var caption = $"{listing.Total} managed key{(listing.Total == 1 ? string.Empty : "s")}{(KeyFilters.IsFiltered(listing.Filter) ? (listing.Total == 1 ? " matches the filters" : " match the filters") : string.Empty)}{(listing.Pages > 1 ? $", page {listing.Page} of {listing.Pages}" : string.Empty)}";
        html.Raw("<div class=\"table-wrap\"><table id=\"key-list\"><caption>").Text(caption).Raw("</caption>")
            .Raw("<thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Hint</th><th scope=\"col\">Stage</th><th scope=\"col\">Status</th><th scope=\"col\">Schedule</th><th scope=\"col\">Next rotation</th><th scope=\"col\">Usage</th><th scope=\"col\">Actions</th></tr></thead><tbody>");
        foreach (var key in keys)
        {
            KeyListItem.Render(page, key);
        }

        html.Raw("</tbody></table></div>");
        if (listing.Pages > 1)
        {
            html.Raw("<nav class=\"pager\" aria-label=\"Key list pages\"><ul>");
            if (listing.Page > 1)
            {
                html.Raw("<li>").Link(KeyFilters.PageUrl(page, listing, listing.Page - 1), "Previous page", "button secondary").Raw("</li>");
            }

            foreach (var number in Numbers(listing.Page, listing.Pages))
            {
                var text = number.ToString(CultureInfo.InvariantCulture);
                html.Raw("<li>");
                if (number == listing.Page)
                {
                    html.Raw("<a class=\"button\" aria-current=\"page\"").Attr("href", KeyFilters.PageUrl(page, listing, number)).Raw("><span class=\"visually-hidden\">Page </span>").Text(text).Raw("</a>");
                }
                else
                {
                    html.Raw("<a class=\"button secondary\"").Attr("href", KeyFilters.PageUrl(page, listing, number)).Raw("><span class=\"visually-hidden\">Page </span>").Text(text).Raw("</a>");
                }

                html.Raw("</li>");
            }

            if (listing.Page < listing.Pages)
            {
                html.Raw("<li>").Link(KeyFilters.PageUrl(page, listing, listing.Page + 1), "Next page", "button secondary").Raw("</li>");
            }

            html.Raw("</ul></nav>");
        }
    }

    /// <summary>The page numbers to link: the first, the last, and two either side of the current one.</summary>
    private static IEnumerable<int> Numbers(int current, int pages)
        => Enumerable.Range(1, pages).Where(n => n == 1 || n == pages || Math.Abs(n - current) <= 2);
}
