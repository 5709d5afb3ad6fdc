using IronCage.AspNetCore.Authorization;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>RateLimits: the per-address limit of the operator surface and read-only mode.</summary>
internal static class RateLimits
{
    public static void Render(DashboardPage page, AdminAccessOptions access)
    {
        page.Html.Raw("<section aria-labelledby=\"limits-heading\"><h2 id=\"limits-heading\">Rate limits</h2><dl class=\"summary\">")
            .Raw("<div><dt>Requests per client address</dt><dd>").Text(access.RateLimitPermits == 0 ? "unlimited" : $"{access.RateLimitPermits} per {access.RateLimitWindow.TotalSeconds:0} s").Raw("</dd></div>")
            .Raw("<div><dt>Applies to</dt><dd>every admin API route and every dashboard page and form</dd></div>")
            .Raw("<div><dt>Read-only mode</dt><dd>").Text(access.ReadOnly ? "on: every change is refused" : "off").Raw("</dd></div></dl></section>");
    }
}
