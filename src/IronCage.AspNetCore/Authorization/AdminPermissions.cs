namespace IronCage.AspNetCore.Authorization;

/// <summary>
/// The permissions of IronCage's operator surface. Each is also the name of the ASP.NET Core authorization policy the
/// host registers for it (<c>services.AddAuthorization(o => o.AddPolicy(AdminPermissions.KeysRead, p => p.RequireRole("ops")))</c>).
/// A caller who satisfies the <see cref="Admin"/> policy holds every permission.
/// </summary>
public static class AdminPermissions
{
    /// <summary>List and read keys, verify them, read usage, rotation history and plans.</summary>
    public const string KeysRead = "keys.read";

    /// <summary>Register keys.</summary>
    public const string KeysCreate = "keys.create";

    /// <summary>Rotate keys, schedule rotation, supply a new key, cancel or resume an operation.</summary>
    public const string KeysRotate = "keys.rotate";

    /// <summary>Revoke, kill and delete keys.</summary>
    public const string KeysRevoke = "keys.revoke";

    /// <summary>Set usage limits and alert thresholds.</summary>
    public const string KeysLimits = "keys.limits";

    /// <summary>Read the audit log and verify its chain.</summary>
    public const string AuditRead = "audit.read";

    /// <summary>Everything, and the settings pages (alerts, access).</summary>
    public const string Admin = "admin";

    /// <summary>Gets every permission, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } = [KeysRead, KeysCreate, KeysRotate, KeysRevoke, KeysLimits, AuditRead, Admin];
}
