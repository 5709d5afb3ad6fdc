using NodaTime;

namespace IronCage.Rotation;

/// <summary>What <see cref="IKeyStoreBackup.RestoreAsync"/> restored (or, in a dry run, would restore).</summary>
public sealed record StoreRestoreReport
{
    /// <summary>Gets the restored backup's id.</summary>
    public required string BackupId { get; init; }

    /// <summary>Gets when the backup was made.</summary>
    public required Instant BackupCreatedAt { get; init; }

    /// <summary>Gets a value indicating whether this was a dry run (nothing written).</summary>
    public bool DryRun { get; init; }

    /// <summary>Gets how many managed keys were restored.</summary>
    public int Keys { get; init; }

    /// <summary>Gets how many key versions were restored.</summary>
    public int Versions { get; init; }

    /// <summary>Gets how many rotation operations were restored.</summary>
    public int Operations { get; init; }

    /// <summary>Gets how many secrets were opened and their fingerprints checked before writing (0 when <see cref="StoreRestoreOptions.VerifySecrets"/> is off).</summary>
    public int SecretsVerified { get; init; }

    /// <summary>Gets the keys skipped because the store already held them (only with <see cref="StoreRestoreOptions.Merge"/>).</summary>
    public IReadOnlyList<KeyReference> SkippedKeys { get; init; } = [];

    /// <summary>Gets how many operations were skipped: their key was skipped, or the store already held them.</summary>
    public int SkippedOperations { get; init; }

    /// <summary>Gets how many audit records the backup holds (kept in the file for reference; never re-imported).</summary>
    public long AuditRecordsInBackup { get; init; }

    /// <summary>Gets the sequence number of the backup's last audit record, or <see langword="null"/> when it holds none.</summary>
    public long? AuditHeadSequence { get; init; }

    /// <summary>Gets the hash of the backup's last audit record (its chain head), or <see langword="null"/> when it holds none.</summary>
    public string? AuditHeadHash { get; init; }
}
