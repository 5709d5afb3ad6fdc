namespace IronCage.Rotation;

/// <summary>
/// Exports the whole store to one sealed, self-authenticating backup file and restores it, into the same kind of store or
/// another (SQLite to PostgreSQL is the usual move). Secrets stay sealed: the file holds each version's ciphertext, wrapped
/// data key and KEK id exactly as stored, never a plaintext.
/// </summary>
/// <remarks>
/// The file is JSON lines (docs/backup.md): a header naming the key-encryption key (KEK) that wraps the file's random MAC
/// key, one line per managed key (every version), one per rotation operation, one per audit record, a summary, and an
/// HMAC-SHA256 over every byte before it. Only a holder of that KEK can make or check a valid backup. A restore verifies
/// the whole file (and by default opens every secret) before it writes anything; a file that was changed, cut or
/// reordered fails with <see cref="StoreBackupException"/> and the store stays as it was. Managed-key and version ids are
/// kept, so the sealed secrets (whose associated data binds them to those ids) open in the restored store.
/// </remarks>
public interface IKeyStoreBackup
{
    /// <summary>
    /// Writes every managed key, rotation operation and (by default) audit record to <paramref name="destination"/>,
    /// line by line, and audits the export as <c>store.backup</c>.
    /// </summary>
    /// <param name="destination">The stream to write to; it is flushed, not closed.</param>
    /// <param name="options">What to include and who exports, for the audit trail.</param>
    /// <param name="cancellationToken">Cancels the export; a cancelled file has no MAC line and never restores.</param>
    /// <returns>What was written.</returns>
    Task<StoreBackupReport> ExportAsync(Stream destination, StoreBackupOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Verifies the backup in <paramref name="source"/> completely, then (unless <see cref="StoreRestoreOptions.DryRun"/>)
    /// writes its keys and operations through the stores, which seal each row afresh, and audits the restore as
    /// <c>store.restore</c>.
    /// </summary>
    /// <param name="source">The backup file.</param>
    /// <param name="options">Merge, dry run, secret checks and who restores.</param>
    /// <param name="cancellationToken">Cancels the restore; cancelled while writing, the keys written so far are deleted again.</param>
    /// <returns>What was restored (or, in a dry run, would be).</returns>
    /// <exception cref="StoreBackupException">The file is not a valid backup, its KEK is not available, a secret does not open, or the store is not empty; <see cref="StoreBackupException.Problem"/> says which.</exception>
    Task<StoreRestoreReport> RestoreAsync(Stream source, StoreRestoreOptions? options = null, CancellationToken cancellationToken = default);
}
