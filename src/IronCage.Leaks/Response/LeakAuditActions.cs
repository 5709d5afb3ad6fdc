using IronCage.Auditing;

namespace IronCage.Leaks.Response;

/// <summary>The audit actions the leak response writes.</summary>
public static class LeakAuditActions
{
    /// <summary>A key's value was found exposed (<c>key.leaked</c>); details carry the source, location, hint and fingerprint.</summary>
    public static AuditAction KeyLeaked { get; } = new("key.leaked");

    /// <summary>The egress guard refused a request whose body carried a managed key's value (<c>key.egress-blocked</c>).</summary>
    public static AuditAction EgressBlocked { get; } = new("key.egress-blocked");
}
