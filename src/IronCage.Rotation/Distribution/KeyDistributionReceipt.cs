namespace IronCage.Rotation;

/// <summary>A distribution target's confirmation that it holds a key version.</summary>
public sealed class KeyDistributionReceipt
{
    /// <summary>Gets the target's own id for what it wrote (a Key Vault secret version, a Secrets Manager
    /// <c>VersionId</c>, a Vault KV version, a Kubernetes <c>resourceVersion</c>), or <see langword="null"/> when the
    /// target has none. Recorded in the audit log; never a secret.</summary>
    public string? TargetVersion { get; init; }

    /// <summary>Gets whether the target already held the value and wrote nothing.</summary>
    public bool AlreadyCurrent { get; init; }

    /// <summary>Gets a receipt with no target version.</summary>
    public static KeyDistributionReceipt Confirmed { get; } = new();
}
