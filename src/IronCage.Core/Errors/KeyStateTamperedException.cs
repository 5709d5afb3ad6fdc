namespace IronCage;

/// <summary>
/// A stored key version's security state (stage, kill, revocation) does not match the seal written with it: the
/// database row was changed outside IronCage, for example to revive a killed key. The store refuses the key; it is
/// neither served nor changed until an operator restores the row.
/// </summary>
public sealed class KeyStateTamperedException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="versionId">The version whose state does not match its seal.</param>
    public KeyStateTamperedException(KeyReference key, string versionId)
        : base($"The stored state of version {versionId} of '{key}' (stage, kill or revocation) does not match its seal: the database row was changed outside IronCage. IronCage refuses to serve or change this key. Restore the row from a backup, or delete the key and register it again; see docs/security.md.")
    {
        Key = key;
        VersionId = versionId;
    }

    /// <summary>Gets the managed key.</summary>
    public KeyReference Key { get; }

    /// <summary>Gets the version whose state does not match its seal.</summary>
    public string VersionId { get; }
}
