namespace IronCage.Rotation;

/// <summary>Why a backup was refused (see <see cref="StoreBackupException"/>).</summary>
public enum StoreBackupProblem
{
    /// <summary>The file is not an IronCage backup, or a line cannot be read.</summary>
    Malformed = 0,

    /// <summary>The file was written by a newer format version than this IronCage reads.</summary>
    UnsupportedVersion = 1,

    /// <summary>The file ends before its MAC line: it was cut short, or the export did not finish.</summary>
    Truncated = 2,

    /// <summary>The MAC does not match: a byte was changed, or lines were dropped, added or reordered.</summary>
    MacMismatch = 3,

    /// <summary>The key-encryption key that wraps the file's MAC key (or a secret's data key) is not available on this host.</summary>
    KeyEncryptionKeyUnavailable = 4,

    /// <summary>A restored secret's fingerprint does not match it under this host's fingerprint key.</summary>
    FingerprintMismatch = 5,

    /// <summary>The target store is not empty, and the restore was not asked to merge.</summary>
    TargetNotEmpty = 6,
}
