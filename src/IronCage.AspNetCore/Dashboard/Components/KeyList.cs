using IronCage.AspNetCore.Endpoints;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>KeyList: every managed key as a <see cref="KeyListItem"/> row.</summary>
internal static class KeyList
{
    public static void Render(DashboardPage page, IReadOnlyList<ApiKeyView> keys, int total, int number, int pages)
    {
        var html = page.Html;
        html.Raw("<section aria-labelledby=\"keys-heading\"><h2 id=\"keys-heading\">Keys</h2>");
        if (total == 0)
        {
            html.Raw("<p class=\"empty\">No managed key yet. Add one below.</p></section>");
            return;
        }

        html.Raw("<div class=\"table-wrap\"><table id=\"key-list\"><caption>").Text($"{total} managed key{(total == 1 ? string.Empty : "s")}{(pages > 1 ? $", page {number} of {pages}" : string.Empty)}").Raw("</caption>")
            .Raw("<thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Hint</th><th scope=\"col\">Stage</th><th scope=\"col\">Status</th><th scope=\"col\">Schedule</th><th scope=\"col\">Next rotation</th><th scope=\"col\">Usage</th><th scope=\"col\">Actions</th></tr></thead><tbody>");
        foreach (var key in keys)
        {
            KeyListItem.Render(page, key);
        }

        html.Raw("</tbody></table></div>");
        if (pages > 1)
        {
            html.Raw("<nav class=\"pager\" aria-label=\"Key list pages\">");
            if (number > 1)
            {
                html.Link(page.Url("/?page=" + (number - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), "Previous page", "button secondary").Raw(" ");
            }

            if (number < pages)
            {
                html.Link(page.Url("/?page=" + (number + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), "Next page", "button secondary");
            }

            html.Raw("</nav>");
        }

        html.Raw("</section>");
    }
}
