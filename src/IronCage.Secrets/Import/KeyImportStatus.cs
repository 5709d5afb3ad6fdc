namespace IronCage.Secrets;

/// <summary>What became of one candidate of an import.</summary>
public enum KeyImportStatus
{
    /// <summary>The key was registered as a new managed key (in a dry run: it would have been).</summary>
    Imported,

    /// <summary>The value is already a version of a managed key (by fingerprint), or appeared earlier in the same import; nothing was written.</summary>
    AlreadyManaged,

    /// <summary>The value was refused: wrong format, a placeholder, a name and prefix of different providers, a key the
    /// provider rejected, or a managed key name already taken by another value.</summary>
    Invalid,

    /// <summary>Verification reached no verdict (the provider could not be reached, rate limited, answered unexpectedly,
    /// needs a setting that is missing, or has no free verification call); nothing was written.</summary>
    Unverifiable,

    /// <summary>Neither the name nor the value's prefix names a provider of the catalog; nothing was written.</summary>
    UnknownProvider,
}
