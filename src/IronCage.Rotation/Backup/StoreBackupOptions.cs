namespace IronCage.Rotation;

/// <summary>What <see cref="IKeyStoreBackup.ExportAsync"/> writes.</summary>
public sealed record StoreBackupOptions
{
    /// <summary>Gets a value indicating whether finished rotation operations are exported too (unfinished ones always are).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool IncludeFinishedOperations { get; init; } = true;

    /// <summary>
    /// Gets a value indicating whether the audit log's records are exported. A restore never re-imports them (an
    /// append-only chain cannot be re-created faithfully); they are in the file for reference, and the restore's
    /// <c>store.restore</c> record names their chain head.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool IncludeAuditLog { get; init; } = true;

    /// <summary>Gets who exports, for the audit trail and the file's header.</summary>
    /// <value>The default value is <c>system</c>.</value>
    public string Actor { get; init; } = "system";
}
