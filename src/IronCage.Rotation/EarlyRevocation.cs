namespace IronCage.Rotation;

/// <summary>Where revoking the old key first stands (<see cref="RotationOperationKind.RevokeFirstRotation"/> and <see cref="RotationOperationKind.Revocation"/>).</summary>
public enum EarlyRevocation
{
    /// <summary>The old key was not revoked first (yet).</summary>
    None = 0,

    /// <summary>The old key was killed and revoked at the provider before anything else.</summary>
    Revoked = 1,

    /// <summary>The old key was killed, but the provider refused to revoke it: a critical alert was raised and the version is marked.</summary>
    Failed = 2,
}
