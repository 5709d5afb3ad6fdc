using IronCage.Rotation;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>
/// DeleteKey: removes a managed key once nothing can still be live: no servable version and no rotation under way
/// (the admin API's <c>DELETE</c> rules). The confirmation is typed, not only a dialog, and deleting needs MFA step-up.
/// </summary>
internal static class DeleteKey
{
    public static void Render(DashboardPage page, ManagedKey key, RotationOperation? active)
    {
        var html = page.Html;
        html.Raw("<section aria-labelledby=\"delete-heading\" class=\"card danger-zone\"><h2 id=\"delete-heading\">Delete the key</h2>");
        if (active is not null || key.Versions.Any(v => v.IsServable))
        {
            html.Raw("<p class=\"hint\">").Text(active is not null
                ? "A rotation is under way: finish or cancel it, then revoke the key before deleting it."
                : "The key is still served, so its provider key may be live: revoke it (or kill its versions) first, then delete it here.").Raw("</p></section>");
            return;
        }

        var id = key.Reference.ToString();
        html.Raw("<p class=\"hint\">No version is served. Deleting removes the key and its versions from the store; the audit trail stays. Needs multi-factor sign-in.</p>")
            .Raw("<form method=\"post\" class=\"form-inline\" id=\"delete-form\" autocomplete=\"off\"").Attr("action", page.Url(DashboardPage.KeyPath(key.Reference) + "/delete")).Raw(">");
        page.AntiforgeryField();
        html.Raw("<label for=\"confirm-delete\">Type <code>").Text(id).Raw("</code> to confirm</label><input type=\"text\" id=\"confirm-delete\" name=\"confirm\" required spellcheck=\"false\" autocapitalize=\"off\"");
        if (page.Error?.Field == "confirm-delete")
        {
            html.Raw(" aria-invalid=\"true\" aria-describedby=\"confirm-delete-error\"");
        }

        html.Raw("><button type=\"submit\" class=\"button danger\">Delete key</button></form>");
        if (page.Error is { Field: "confirm-delete" } error)
        {
            html.Raw("<p class=\"field-error\" id=\"confirm-delete-error\" role=\"alert\">").Text(error.Message).Raw("</p>");
        }

        html.Raw("</section>");
    }
}
