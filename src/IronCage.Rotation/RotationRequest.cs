using NodaTime;

namespace IronCage.Rotation;

/// <summary>Who asks for a rotation operation, why, and how it should differ from the key's policy.</summary>
public sealed record RotationRequest
{
    /// <summary>Gets who asks (recorded in the audit log).</summary>
    /// <value>The default value is <c>system</c>.</value>
    public string Actor { get; init; } = "system";

    /// <summary>Gets the caller's IP address, for the audit log.</summary>
    public string? IpAddress { get; init; }

    /// <summary>Gets why, in words (recorded in the audit log).</summary>
    public string? Note { get; init; }

    /// <summary>
    /// Gets a value indicating whether the old key is revoked (and killed locally) before anything else. Only for
    /// <see cref="RotationReason.Compromised"/>: service stops until the new key is in place.
    /// </summary>
    public bool RevokeFirst { get; init; }

    /// <summary>Gets a grace period that replaces the key's policy for this rotation (ignored for compromised keys, which get none). Between 0 and 30 days.</summary>
    public Duration? GracePeriod { get; init; }
}
