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
        html.Raw("<p class=\"hint\">No version is served. Deleting removes the key and its versions from the store; the audit trail stays. Needs multi-factor sign-in.</p>");

        // The kill switch is local: a killed version that was never revoked may still be a live key at the provider.
        var unrevoked = key.Versions.Where(v => v.KilledAt is not null && v.Stage != KeyStage.Revoked).ToList();
        if (unrevoked.Count > 0)
        {
            html.Raw("<div class=\"notice warn\" id=\"delete-unrevoked\"><p>").Text($"Killed here but not revoked at the provider: {string.Join(", ", unrevoked.Select(v => v.DisplayHint))}. Its provider key may still work: revoke the key first, or delete it in the provider's console").Text(page.Service<IronCage.Providers.IProviderCatalog>().TryGetDescriptor(key.Reference.Provider, out var descriptor) && descriptor.ConsoleUrl is { } console ? $" ({console})" : string.Empty).Text(", before deleting it here.").Raw("</p></div>");
        }

        html
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
