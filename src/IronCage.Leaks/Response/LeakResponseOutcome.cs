namespace IronCage.Leaks.Response;

/// <summary>What the responder did with one finding.</summary>
public enum LeakResponseOutcome
{
    /// <summary>The same leak (same fingerprint) was already handled: nothing was done again.</summary>
    Duplicate = 0,

    /// <summary>Recorded and alerted, without a rotation (alert-only policy, or a key IronCage does not manage).</summary>
    Alerted = 1,

    /// <summary>The leaked key was rotated (or, for a previous version, revoked); recorded and alerted.</summary>
    Rotated = 2,

    /// <summary>The value is a version IronCage already revoked: recorded only.</summary>
    AlreadyRetired = 3,
}
