using IronCage.AspNetCore.Endpoints;
using IronCage.Rotation;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>KeyRotation: the <see cref="RotationSchedule"/>, the versions, and the <see cref="RotationHistory"/> (live while a rotation runs).</summary>
internal static class KeyRotation
{
    public static void Render(DashboardPage page, ManagedKey key, ApiKeyView view, IReadOnlyList<RotationOperation> operations, RotationOperation? active)
    {
        var html = page.Html;
        html.Raw("<section aria-labelledby=\"rotation-heading\"><h2 id=\"rotation-heading\">Rotation</h2>");
        RotationSchedule.Render(page, key, view);
        if (active is { Step: RotationStep.AwaitingNewKey })
        {
            RenderSupply(page, key.Reference, active.Tier == IronCage.Providers.RotationTier.Manual);
        }

        html.Raw("<div").Attr("data-live", page.Url("/live/rotations?key=" + Uri.EscapeDataString(key.Reference.ToString()))).Raw(">");
        html.Raw("<h3>Versions</h3><div id=\"key-versions\" class=\"table-wrap\">");
        Versions(page, view);
        html.Raw("</div><h3>History</h3><div id=\"rotation-history\">");
        RotationHistory.Render(page, operations);
        html.Raw("</div><p class=\"hint live-state\" aria-live=\"off\">Live: this history updates while a rotation runs.</p></div></section>");
    }

    public static void Versions(DashboardPage page, ApiKeyView view)
    {
        var html = page.Html;
        html.Raw("<table><caption>Versions, newest last</caption><thead><tr><th scope=\"col\">Version</th><th scope=\"col\">Stage</th><th scope=\"col\">Hint</th><th scope=\"col\">Created</th><th scope=\"col\">Activated</th><th scope=\"col\">Revoked</th><th scope=\"col\">Served</th></tr></thead><tbody>");
        foreach (var version in view.Versions)
        {
            html.Raw("<tr><th scope=\"row\"><code>").Text(version.VersionId).Raw("</code></th>")
                .Raw("<td><span").Attr("class", "stage stage-" + version.Stage.ToLowerInvariant()).Raw(">").Text(version.Stage).Raw("</span></td>")
                .Raw("<td><code>").Text(version.DisplayHint).Raw("</code></td>")
                .Cell(version.CreatedAt).Cell(version.ActivatedAt).Cell(version.RevokedAt ?? version.KilledAt)
                .Cell(version.Servable ? "yes" : "no").Raw("</tr>");
        }

        html.Raw("</tbody></table>");
    }

    /// <summary>The new key of a person-driven rotation: supplied (semi-automatic: found at the provider) or recorded (manual: IronCage never calls the provider's management API).</summary>
    private static void RenderSupply(DashboardPage page, KeyReference key, bool manual)
    {
        var html = page.Html;
        html.Raw("<form method=\"post\" class=\"card form-grid\" id=\"supply-form\" autocomplete=\"off\"").Attr("action", page.Url(DashboardPage.KeyPath(key) + "/supply")).Raw("><h3>").Text(manual ? "Record the manual rotation" : "Supply the new key").Raw("</h3>")
            .Raw("<p class=\"hint\">").Text(manual
                ? "Create the new key in the provider's console and paste it here: it is verified and becomes current; after the grace period the old version is retired here, and you delete it in the console. It is never shown again."
                : "Create the key in the provider's console and paste it here; it is verified, promoted and never shown again.").Raw("</p>");
        page.AntiforgeryField();
        html.Raw("<div class=\"field wide\"><label for=\"supply-key\">New key</label><input type=\"password\" id=\"supply-key\" name=\"key\" required autocomplete=\"off\" spellcheck=\"false\"></div>")
            .Raw("<div class=\"field submit\"><button type=\"submit\" class=\"button\">").Text(manual ? "Verify and record" : "Verify and promote").Raw("</button></div></form>");
    }
}
