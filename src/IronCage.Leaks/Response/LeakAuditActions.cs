using IronCage.Auditing;

namespace IronCage.Leaks.Response;

/// <summary>The audit actions the leak response writes.</summary>
public static class LeakAuditActions
{
    /// <summary>A key's value was found exposed (<c>key.leaked</c>); details carry the source, location, hint and fingerprint.</summary>
    public static AuditAction KeyLeaked { get; } = new("key.leaked");
}
