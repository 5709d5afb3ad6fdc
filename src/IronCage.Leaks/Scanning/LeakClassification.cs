namespace IronCage.Leaks.Scanning;

/// <summary>What a leaked value is to IronCage, decided by its keyed fingerprint.</summary>
public enum LeakClassification
{
    /// <summary>IronCage does not manage the value: a key of the provider's shape that no managed key ever had.</summary>
    Unknown = 0,

    /// <summary>The value is the version a managed key serves now (or the pending version of a rotation under way).</summary>
    ManagedCurrent = 1,

    /// <summary>The value is a previous version still valid during its grace period.</summary>
    ManagedPrevious = 2,

    /// <summary>The value is a version IronCage already revoked: no action beyond a record.</summary>
    Retired = 3,
}
