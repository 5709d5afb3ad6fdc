using System.Diagnostics.CodeAnalysis;

namespace IronCage.Auditing;

/// <summary>What an audited event did. An open set over a string (<c>key.rotate</c>, ...), with well-known values.</summary>
public readonly struct AuditAction : IEquatable<AuditAction>
{
    private readonly string? _value;

    /// <summary>Creates an action.</summary>
    /// <param name="value">The action's name, for example <c>key.rotate</c>.</param>
    public AuditAction(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        _value = value;
    }

    /// <summary>A managed key was registered.</summary>
    public static AuditAction KeyCreate { get; } = new("key.create");

    /// <summary>A managed key's settings changed.</summary>
    public static AuditAction KeyUpdate { get; } = new("key.update");

    /// <summary>A managed key's rotation policy changed (schedule, window, grace period, expiry lead, lifetime, jitter).</summary>
    public static AuditAction KeyPolicyChange { get; } = new("key.policy-changed");

    /// <summary>A managed key's usage limits or alert thresholds changed.</summary>
    public static AuditAction KeyLimitsChange { get; } = new("key.limits-changed");

    /// <summary>A managed key was deleted.</summary>
    public static AuditAction KeyDelete { get; } = new("key.delete");

    /// <summary>A key's plaintext was revealed to a person or process.</summary>
    public static AuditAction KeyReveal { get; } = new("key.reveal");

    /// <summary>A key was verified at its provider.</summary>
    public static AuditAction KeyVerify { get; } = new("key.verify");

    /// <summary>A key was rotated.</summary>
    public static AuditAction KeyRotate { get; } = new("key.rotate");

    /// <summary>A key was revoked at its provider.</summary>
    public static AuditAction KeyRevoke { get; } = new("key.revoke");

    /// <summary>A key version was killed locally (never served again).</summary>
    public static AuditAction KeyKill { get; } = new("key.kill");

    /// <summary>The master key or a data key was re-wrapped.</summary>
    public static AuditAction KeyRewrap { get; } = new("key.rewrap");

    /// <summary>The store was exported to a sealed backup file (counts and the backup id; never a secret).</summary>
    public static AuditAction StoreBackup { get; } = new("store.backup");

    /// <summary>A sealed backup file was restored into the store (counts, the backup id and the backup's audit chain head).</summary>
    public static AuditAction StoreRestore { get; } = new("store.restore");

    /// <summary>A stored key version's security state did not match its seal: the database was edited outside IronCage.</summary>
    public static AuditAction KeyStateTampered { get; } = new("key.state-tampered");

    /// <summary>Key versions stored before their state was sealed were sealed (once, on the first open with the master key).</summary>
    public static AuditAction KeyStateSealed { get; } = new("key.state-sealed");

    /// <summary>An operator surface (admin API, dashboard) let a caller through to an operation.</summary>
    public static AuditAction AccessGranted { get; } = new("access.granted");

    /// <summary>An operation was refused for lack of permission.</summary>
    public static AuditAction AccessDenied { get; } = new("access.denied");

    /// <summary>Gets the action's name.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Compares two actions.</summary>
    /// <param name="left">The first action.</param>
    /// <param name="right">The second action.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(AuditAction left, AuditAction right) => left.Equals(right);

    /// <summary>Compares two actions.</summary>
    /// <param name="left">The first action.</param>
    /// <param name="right">The second action.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(AuditAction left, AuditAction right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(AuditAction other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is AuditAction other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
