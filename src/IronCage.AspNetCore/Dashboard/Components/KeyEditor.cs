namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>KeyEditor: the <see cref="KeyForm"/> to add a key and its <see cref="ValidationStatus"/>.</summary>
internal static class KeyEditor
{
    public static void Render(DashboardPage page)
    {
        page.Html.Raw("<section aria-labelledby=\"add-heading\" class=\"card\"><h2 id=\"add-heading\">Add a key</h2>")
            .Raw("<p class=\"hint\">The key is checked against the provider's format as you type, verified at the provider when you add it, and stored encrypted. It is never shown again: pages show its hint only.</p>");
        KeyForm.Render(page);
        page.Html.Raw("</section>");
    }
}
