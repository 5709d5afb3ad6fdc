using IronCage.AspNetCore.Authorization;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>AccessControl: per permission, whether the host configured a policy, its IP allow-list and the operations it opens (MFA marked).</summary>
internal static class AccessControl
{
    public static void Render(DashboardPage page, AdminAccessOptions access, IReadOnlyDictionary<string, bool> configured, IReadOnlyList<AdminOperation> operations)
    {
        var html = page.Html;
        html.Raw("<section aria-labelledby=\"access-heading\"><h2 id=\"access-heading\">Access control</h2>");
        if (configured.Values.All(c => !c))
        {
            html.Raw("<p class=\"alert\" role=\"note\">No authorization policy is configured: the admin API and this dashboard answer loopback requests only. Register policies named after the permissions below to open them to your roles.</p>");
        }

        html.Raw("<div class=\"table-wrap\"><table id=\"access-control\"><caption>Who may do what: the host maps each permission to roles or claims with an authorization policy of that name; the admin policy holds every permission.</caption><thead><tr><th scope=\"col\">Permission</th><th scope=\"col\">Policy</th><th scope=\"col\">Allowed networks</th><th scope=\"col\">Operations</th></tr></thead><tbody>");
        foreach (var permission in AdminPermissions.All)
        {
            var networks = access.AllowedNetworks.TryGetValue(permission, out var list) && list.Count > 0 ? string.Join(", ", list.Select(n => n.ToString())) : "any the policy allows";
            html.Raw("<tr><th scope=\"row\"><code>").Text(permission).Raw("</code></th>")
                .Raw("<td>").Raw(configured[permission] ? "<span class=\"badge ok\">configured</span>" : "<span class=\"badge warn\">none (loopback only)</span>").Raw("</td>")
                .Cell(networks).Raw("<td><ul class=\"ops\">");
            foreach (var operation in operations.Where(o => o.Permission == permission).OrderBy(o => o.Name, StringComparer.Ordinal))
            {
                html.Raw("<li><code>").Text(operation.Name).Raw("</code>");
                if (operation.RequiresMfa)
                {
                    html.Raw(" <span class=\"badge\">MFA</span>");
                }
                else if (operation.RequiresMfaWhen is not null)
                {
                    html.Raw(" <span class=\"badge\">MFA for emergencies</span>");
                }

                html.Raw("</li>");
            }

            html.Raw("</ul></td></tr>");
        }

        html.Raw("</tbody></table></div><p>MFA step-up reads the <code>").Text(access.MfaClaimType).Raw("</code> claim; accepted values: ")
            .Text(string.Join(", ", access.MfaClaimValues.Order(StringComparer.Ordinal))).Raw(".</p></section>");
    }
}
