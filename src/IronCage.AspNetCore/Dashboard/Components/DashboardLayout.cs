namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>The page shell: skip link, header with navigation and the signed-in actor, notices and errors, the embedded stylesheet and script.</summary>
internal static class DashboardLayout
{
    private static readonly (string Path, string Label, string Id)[] Navigation =
    [
        ("/", "Keys", "keys"),
        ("/debt", "Rotation debt", "debt"),
        ("/usage", "Usage", "usage"),
        ("/security", "Security", "security"),
        ("/audit", "Audit log", "audit"),
    ];

    public static void Begin(DashboardPage page, string title, string active)
    {
        var html = page.Html;
        html.Raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Raw("<title>").Text(title).Raw(" · IronCage</title>")
            .Raw("<link rel=\"stylesheet\"").Attr("href", page.Url("/assets/dashboard.css")).Raw(">")
            .Raw("<script defer").Attr("src", page.Url("/assets/dashboard.js")).Raw("></script></head><body>")
            .Raw("<a class=\"skip\" href=\"#main\">Skip to content</a>")
            .Raw("<header class=\"top\"><a class=\"brand\"").Attr("href", page.Url("/")).Raw(">IronCage</a><nav aria-label=\"Dashboard\"><ul>");
        foreach (var (path, label, id) in Navigation)
        {
            html.Raw("<li><a").Attr("href", page.Url(path));
            if (id == active)
            {
                html.Raw(" aria-current=\"page\"");
            }

            html.Raw(">").Text(label).Raw("</a></li>");
        }

        html.Raw("</ul></nav><p class=\"actor\">Signed in as <strong>").Text(page.Decision.Actor).Raw("</strong>");
        if (page.Decision.IsLoopbackDefault)
        {
            html.Raw(" <span class=\"badge warn\">loopback only</span>");
        }

        html.Raw("</p></header><main id=\"main\" tabindex=\"-1\">");
        if (page.Notice is not null)
        {
            html.Raw(page.NoticeIsWarning ? "<div class=\"notice warn\" role=\"status\">" : "<div class=\"notice\" role=\"status\">").Text(page.Notice).Raw("</div>");
        }

        if (page.Error is { Field: { } field } fieldError)
        {
            // The details stand next to the field; the summary links there.
            html.Raw("<div class=\"alert\" role=\"alert\"><p><strong>").Text(fieldError.Title).Raw("</strong> <a").Attr("href", "#" + field).Raw(">").Text($"Go to the {fieldError.FieldLabel ?? field} field").Raw("</a>.</p></div>");
        }
        else if (page.Error is { } error)
        {
            html.Raw("<div class=\"alert\" role=\"alert\"><p><strong>").Text(error.Title).Raw("</strong> ").Text(error.Message).Raw("</p>");
            if (error.Fix is not null)
            {
                html.Raw("<p>").Text(error.Fix).Raw("</p>");
            }

            html.Raw("</div>");
        }
    }

    public static void End(DashboardPage page)
        => page.Html.Raw("</main><footer><p>IronCage dashboard · key values are never shown, only their hints.</p></footer></body></html>");

    /// <summary>A page for a refused request: the reason and how to get access.</summary>
    public static void Denied(DashboardPage page, string reason, string? fix, int status)
    {
        Begin(page, "Access denied", string.Empty);
        page.Html.Raw("<h1>").Text(status == 429 ? "Too many requests" : "Access denied").Raw("</h1><div class=\"alert\" role=\"alert\"><p>").Text(reason).Raw("</p>");
        if (fix is not null)
        {
            page.Html.Raw("<p>").Text(fix).Raw("</p>");
        }

        page.Html.Raw("</div><p>").Link(page.Url("/"), "Back to the keys").Raw("</p>");
        End(page);
    }

    /// <summary>A page for an error that has no better place to show.</summary>
    public static void Failed(DashboardPage page, DashboardError error)
    {
        page.Error = error;
        Begin(page, error.Title, string.Empty);
        page.Html.Raw("<h1>").Text(error.Title).Raw("</h1><p>").Link(page.Url("/"), "Back to the keys").Raw("</p>");
        End(page);
    }
}
