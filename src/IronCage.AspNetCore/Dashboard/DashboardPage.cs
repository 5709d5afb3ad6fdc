using IronCage.AspNetCore.Authorization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.AspNetCore.Dashboard;

/// <summary>One dashboard request being rendered: the request, the dashboard's prefix, the access decision, the HTML.</summary>
internal sealed class DashboardPage
{

    public DashboardPage(HttpContext http, string prefix, AdminAccessDecision decision)
    {
        Http = http;
        Prefix = prefix;
        Decision = decision;
    }

    public HttpContext Http { get; }

    public string Prefix { get; }

    public AdminAccessDecision Decision { get; }

    public HtmlWriter Html { get; } = new();

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>Gets or sets the antiforgery tokens of the page's forms; fetched (and the cookie set) on first use.</summary>
    public AntiforgeryTokenSet? Tokens { get; set; }

    /// <summary>Gets or sets the message of a finished action (from the redirect's <c>notice</c> code).</summary>
    public string? Notice { get; set; }

    /// <summary>Gets or sets a value indicating whether <see cref="Notice"/> reports an unfinished outcome (shown as a warning).</summary>
    public bool NoticeIsWarning { get; set; }

    /// <summary>Gets or sets the posted form of an action being re-rendered after an error (never a key field's value).</summary>
    public IFormCollection? Form { get; set; }

    /// <summary>Gets or sets the error an action ended with, shown as an alert.</summary>
    public DashboardError? Error { get; set; }

    public T Service<T>()
        where T : notnull => Http.RequestServices.GetRequiredService<T>();

    public T? OptionalService<T>() => Http.RequestServices.GetService<T>();

    public string Url(string relative) => Prefix + relative;

    public static string KeyPath(KeyReference key) => "/keys/" + Uri.EscapeDataString(key.Provider.Value) + "/" + Uri.EscapeDataString(key.Name);

    /// <summary>Writes the antiforgery field of a form (ASP.NET Core antiforgery, validated on every POST).</summary>
    public void AntiforgeryField()
    {
        Tokens ??= Service<IAntiforgery>().GetAndStoreTokens(Http);
        Html.Raw("<input type=\"hidden\"").Attr("name", Tokens.FormFieldName).Attr("value", Tokens.RequestToken).Raw(">");
    }

    /// <summary>Writes a one-button form that posts to <paramref name="action"/>.</summary>
    public void ButtonForm(string action, string label, string cssClass = "button", IReadOnlyDictionary<string, string>? fields = null, string? confirm = null)
    {
        Html.Raw("<form method=\"post\" class=\"inline\"").Attr("action", Url(action));
        if (confirm is not null)
        {
            Html.Attr("data-confirm", confirm);
        }

        Html.Raw(">");
        AntiforgeryField();
        foreach (var (name, value) in fields ?? new Dictionary<string, string>())
        {
            Html.Raw("<input type=\"hidden\"").Attr("name", name).Attr("value", value).Raw(">");
        }

        Html.Raw("<button type=\"submit\"").Attr("class", cssClass).Raw(">").Text(label).Raw("</button></form>");
    }
}
