using IronCage.AspNetCore.Endpoints;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>KeyList: every managed key as a <see cref="KeyListItem"/> row.</summary>
internal static class KeyList
{
    public static void Render(DashboardPage page, IReadOnlyList<ApiKeyView> keys)
    {
        var html = page.Html;
        html.Raw("<section aria-labelledby=\"keys-heading\"><h2 id=\"keys-heading\">Keys</h2>");
        if (keys.Count == 0)
        {
            html.Raw("<p class=\"empty\">No managed key yet. Add one below.</p></section>");
            return;
        }

        html.Raw("<div class=\"table-wrap\"><table id=\"key-list\"><caption>").Text($"{keys.Count} managed key{(keys.Count == 1 ? string.Empty : "s")}").Raw("</caption>")
            .Raw("<thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Hint</th><th scope=\"col\">Stage</th><th scope=\"col\">Status</th><th scope=\"col\">Schedule</th><th scope=\"col\">Next rotation</th><th scope=\"col\">Usage</th><th scope=\"col\">Actions</th></tr></thead><tbody>");
        foreach (var key in keys)
        {
            KeyListItem.Render(page, key);
        }

        html.Raw("</tbody></table></div></section>");
    }
}
