using IronCage.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace IronCage.AspNetCore.Dashboard;

/// <summary>
/// What each dashboard page and form performs: the same operation names, permissions and MFA rules as the admin API's
/// routes, so one policy set, one evaluator and one audit cover both.
/// </summary>
internal static class DashboardOperations
{
    public static AdminOperation KeysList { get; } = new() { Name = "keys.list", Permission = AdminPermissions.KeysRead };

    public static AdminOperation KeysGet { get; } = new() { Name = "keys.get", Permission = AdminPermissions.KeysRead };

    public static AdminOperation KeysRotations { get; } = new() { Name = "keys.rotations", Permission = AdminPermissions.KeysRead };

    public static AdminOperation KeysVerify { get; } = new() { Name = "keys.verify", Permission = AdminPermissions.KeysRead };

    public static AdminOperation KeysCreate { get; } = new() { Name = "keys.create", Permission = AdminPermissions.KeysCreate, IsWrite = true };

    /// <summary>A routine rotation; an emergency one (form field <c>reason=compromised</c>) needs MFA step-up, as <c>PUT .../rotate?reason=compromised</c> does.</summary>
    public static AdminOperation KeysRotate { get; } = new() { Name = "keys.rotate", Permission = AdminPermissions.KeysRotate, IsWrite = true, RequiresMfaWhen = IsEmergency };

    public static AdminOperation KeysRevoke { get; } = new() { Name = "keys.revoke", Permission = AdminPermissions.KeysRevoke, IsWrite = true, RequiresMfa = true };

    public static AdminOperation KeysKill { get; } = new() { Name = "keys.kill", Permission = AdminPermissions.KeysRevoke, IsWrite = true, RequiresMfa = true };

    public static AdminOperation KeysPolicy { get; } = new() { Name = "keys.policy", Permission = AdminPermissions.KeysRotate, IsWrite = true };

    public static AdminOperation KeysSupply { get; } = new() { Name = "keys.supply", Permission = AdminPermissions.KeysRotate, IsWrite = true };

    /// <summary>Limits and alert thresholds: needs MFA step-up, as <c>PUT .../limits</c> does.</summary>
    public static AdminOperation KeysLimits { get; } = new() { Name = "keys.limits", Permission = AdminPermissions.KeysLimits, IsWrite = true, RequiresMfa = true };

    /// <summary>Deleting a managed key: needs MFA step-up, as <c>DELETE /api-keys/{provider}/{name}</c> does.</summary>
    public static AdminOperation KeysDelete { get; } = new() { Name = "keys.delete", Permission = AdminPermissions.KeysRevoke, IsWrite = true, RequiresMfa = true };

    public static AdminOperation RotationsResume { get; } = new() { Name = "rotations.resume", Permission = AdminPermissions.KeysRotate, IsWrite = true };

    public static AdminOperation RotationsCancel { get; } = new() { Name = "rotations.cancel", Permission = AdminPermissions.KeysRotate, IsWrite = true };

    public static AdminOperation RotationsCompleteGrace { get; } = new() { Name = "rotations.complete-grace", Permission = AdminPermissions.KeysRotate, IsWrite = true, RequiresMfa = true };

    public static AdminOperation RotationsDebt { get; } = new() { Name = "rotations.debt", Permission = AdminPermissions.KeysRead };

    public static AdminOperation UsageReport { get; } = new() { Name = "usage.report", Permission = AdminPermissions.KeysRead };

    public static AdminOperation SettingsAccess { get; } = new() { Name = "settings.access", Permission = AdminPermissions.Admin };

    public static AdminOperation AuditList { get; } = new() { Name = "audit.list", Permission = AdminPermissions.AuditRead };

    public static AdminOperation AuditVerify { get; } = new() { Name = "audit.verify", Permission = AdminPermissions.AuditRead };

    private static bool IsEmergency(HttpContext http)
        => http.Request.HasFormContentType && (string.Equals(http.Request.Form["reason"], "compromised", StringComparison.OrdinalIgnoreCase) || string.Equals(http.Request.Form["revokeFirst"], "true", StringComparison.OrdinalIgnoreCase));
}
