namespace IronCage.Auditing;

/// <summary>
/// The head of an audit chain (last sequence and hash), kept somewhere the log's writers cannot change. Verifying
/// against it also detects records cut from the end of the log.
/// </summary>
/// <param name="Sequence">The last record's sequence number.</param>
/// <param name="Hash">The last record's hash.</param>
public readonly record struct AuditCheckpoint(long Sequence, string Hash);
