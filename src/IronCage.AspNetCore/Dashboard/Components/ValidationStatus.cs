namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>
/// ValidationStatus: the key's format check, live as the operator types (the catalog's key formats, in the browser,
/// without sending the key anywhere), and the provider verify result of the last submission.
/// </summary>
internal static class ValidationStatus
{
    public static void Render(DashboardPage page)
    {
        var html = page.Html;
        html.Raw("<div id=\"key-status\" class=\"validation\" role=\"status\" aria-live=\"polite\">")
            .Raw("<p id=\"key-format\" class=\"check\">Format: paste a key to check it against the provider's format.</p>");
        if (page.Error is { Field: "key" } error)
        {
            html.Raw("<p id=\"key-error\" class=\"field-error\">").Text(error.Message).Raw(error.Fix is null ? string.Empty : " ").Text(error.Fix).Raw("</p>");
        }
        else
        {
            html.Raw("<p class=\"check\">Provider verify: runs when you add the key.</p>");
        }

        html.Raw("</div>");
    }
}
