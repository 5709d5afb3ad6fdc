namespace IronCage;

/// <summary>Where a key version is in its life (after AWS Secrets Manager's AWSPENDING, AWSCURRENT and AWSPREVIOUS).</summary>
public enum KeyStage
{
    /// <summary>Created and stored, not yet served: being verified during a rotation.</summary>
    Pending = 0,

    /// <summary>The version requests use. A managed key has at most one.</summary>
    Current = 1,

    /// <summary>Replaced by a newer version but still valid during the grace period.</summary>
    Previous = 2,

    /// <summary>Revoked at the provider (or locally killed) and never served again.</summary>
    Revoked = 3,
}
