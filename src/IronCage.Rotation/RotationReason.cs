namespace IronCage.Rotation;

/// <summary>Why a rotation was started.</summary>
public enum RotationReason
{
    /// <summary>The key's schedule said it was due.</summary>
    Scheduled = 0,

    /// <summary>An operator asked for it.</summary>
    Manual = 1,

    /// <summary>The key is (or may be) leaked: no grace period; the old key is revoked as soon as the new one is verified, or first of all.</summary>
    Compromised = 2,
}
