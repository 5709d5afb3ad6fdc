using NodaTime;

namespace IronCage.Rotation;

/// <summary>What <see cref="IKeyStoreBackup.ExportAsync"/> wrote.</summary>
public sealed record StoreBackupReport
{
    /// <summary>Gets the backup's id (<c>bk_</c> followed by 32 hex characters), in its header and its audit record.</summary>
    public required string BackupId { get; init; }

    /// <summary>Gets when the backup was made.</summary>
    public required Instant CreatedAt { get; init; }

    /// <summary>Gets the id of the key-encryption key that wraps the file's MAC key: a restore needs it.</summary>
    public required string KeyEncryptionKeyId { get; init; }

    /// <summary>Gets how many managed keys were written.</summary>
    public int Keys { get; init; }

    /// <summary>Gets how many key versions were written.</summary>
    public int Versions { get; init; }

    /// <summary>Gets how many rotation operations were written.</summary>
    public int Operations { get; init; }

    /// <summary>Gets how many audit records were written.</summary>
    public long AuditRecords { get; init; }

    /// <summary>Gets the KEK ids the exported secrets are sealed under: a host that restores the file needs every one to open them.</summary>
    public IReadOnlyList<string> SecretKeyEncryptionKeyIds { get; init; } = [];

    /// <summary>Gets the file's length in bytes.</summary>
    public long Bytes { get; init; }
}
