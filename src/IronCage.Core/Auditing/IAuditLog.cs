namespace IronCage.Auditing;

/// <summary>
/// The append-only, hash-chained audit log. Every operation, reveal and denied attempt is appended; nothing is
/// updated or deleted; <see cref="VerifyAsync"/> reports the first tampered or missing record.
/// </summary>
public interface IAuditLog
{
    /// <summary>Appends an event.</summary>
    /// <param name="auditEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored record with its sequence number and hash.</returns>
    ValueTask<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default);

    /// <summary>Reads records in order.</summary>
    /// <param name="fromSequence">The first sequence number to read (1 for the whole log).</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The records.</returns>
    IAsyncEnumerable<AuditRecord> ReadAsync(long fromSequence = 1, CancellationToken cancellationToken = default);

    /// <summary>Verifies the whole chain.</summary>
    /// <param name="checkpoint">A head kept outside the log, to detect records cut from its end.</param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AuditVerificationResult> VerifyAsync(AuditCheckpoint? checkpoint = null, CancellationToken cancellationToken = default);
}
