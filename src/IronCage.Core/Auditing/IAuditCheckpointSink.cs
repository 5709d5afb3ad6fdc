namespace IronCage.Auditing;

/// <summary>
/// Where <see cref="AuditCheckpointExporter"/> keeps audit checkpoints: somewhere the database's writers cannot
/// change (a file on another volume, an object store with retention, a syslog host, another database). Implement it
/// for your own target, or use <see cref="FileAuditCheckpointSink"/>.
/// </summary>
public interface IAuditCheckpointSink
{
    /// <summary>Stores a checkpoint; it becomes the latest.</summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the checkpoint is stored.</returns>
    ValueTask WriteAsync(AuthenticatedAuditCheckpoint checkpoint, CancellationToken cancellationToken = default);

    /// <summary>Reads the latest checkpoint stored.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The latest checkpoint, or <see langword="null"/> when none was stored yet.</returns>
    ValueTask<AuthenticatedAuditCheckpoint?> ReadLatestAsync(CancellationToken cancellationToken = default);
}
