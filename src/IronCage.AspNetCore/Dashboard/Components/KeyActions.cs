using IronCage.Rotation;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>KeyActions: the buttons that act on a key. Each posts a form with an antiforgery token; the server checks the same permission and MFA step-up as the admin API.</summary>
internal static class KeyActions
{
    public static void RenderCompact(DashboardPage page, KeyReference key)
    {
        var path = DashboardPage.KeyPath(key);
        page.Html.Link(page.Url(path), "Manage", "button secondary").Raw(" ");
        page.ButtonForm(path + "/verify", "Verify", "button secondary");
    }

    public static void Render(DashboardPage page, KeyReference key, bool servable, RotationOperation? active)
    {
        var html = page.Html;
        var path = DashboardPage.KeyPath(key);
        html.Raw("<section aria-labelledby=\"actions-heading\"><h2 id=\"actions-heading\">Actions</h2><div class=\"action-row\">");
        page.ButtonForm(path + "/verify", "Verify at provider", "button secondary");
        if (active is null && servable)
        {
            page.ButtonForm(path + "/rotate", "Rotate now", "button", new Dictionary<string, string> { ["reason"] = "manual" });
            page.ButtonForm(path + "/rotate", "Emergency rotate (compromised)", "button danger", new Dictionary<string, string> { ["reason"] = "compromised" }, "Revoke the old key with no grace period?");
        }

        if (servable)
        {
            page.ButtonForm(path + "/revoke", "Revoke now", "button danger", confirm: "Revoke this key at the provider now, without a replacement?");
            page.ButtonForm(path + "/kill", "Kill switch", "button danger", confirm: "Stop serving the current version at once?");
        }

        html.Raw("</div><p class=\"hint\">Emergency rotation, revocation and the kill switch need multi-factor sign-in.</p></section>");
    }
}
