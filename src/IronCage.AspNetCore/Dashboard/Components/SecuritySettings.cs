using IronCage.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>SecuritySettings: <see cref="AccessControl"/> (who may do what) and <see cref="RateLimits"/>; the <see cref="AuditLogs"/> have their own page.</summary>
internal static class SecuritySettings
{
    public static async Task<int> RenderAsync(DashboardPage page)
    {
        var access = page.Service<IOptions<AdminAccessOptions>>().Value;
        var policies = page.Service<IAuthorizationPolicyProvider>();
        var operations = page.Service<EndpointDataSource>().Endpoints.Select(e => e.Metadata.GetMetadata<AdminOperation>()).OfType<AdminOperation>()
            .Concat(DashboardOperationsList())
            .DistinctBy(o => o.Name).ToList();
        var configured = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var permission in AdminPermissions.All)
        {
            configured[permission] = await policies.GetPolicyAsync(permission).ConfigureAwait(false) is not null;
        }

        DashboardLayout.Begin(page, "Security", "security");
        page.Html.Raw("<h1>Security settings</h1>");
        AccessControl.Render(page, access, configured, operations);
        RateLimits.Render(page, access);
        page.Html.Raw("<p>").Link(page.Url("/audit"), "Audit log and chain verification").Raw("</p>");
        DashboardLayout.End(page);
        return 200;
    }

    private static IEnumerable<AdminOperation> DashboardOperationsList() =>
    [
        DashboardOperations.KeysList, DashboardOperations.KeysGet, DashboardOperations.KeysRotations, DashboardOperations.KeysVerify, DashboardOperations.KeysCreate,
        DashboardOperations.KeysRotate, DashboardOperations.KeysRevoke, DashboardOperations.KeysKill, DashboardOperations.KeysPolicy, DashboardOperations.KeysSupply,
        DashboardOperations.KeysLimits, DashboardOperations.KeysDelete, DashboardOperations.RotationsResume,
        DashboardOperations.RotationsCancel, DashboardOperations.RotationsCompleteGrace, DashboardOperations.RotationsDebt, DashboardOperations.UsageReport,
        DashboardOperations.SettingsAccess, DashboardOperations.AuditList, DashboardOperations.AuditVerify,
    ];
}
