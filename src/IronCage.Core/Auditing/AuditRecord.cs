namespace IronCage.Auditing;

/// <summary>An <see cref="AuditEvent"/> as stored: its sequence number and its place in the hash chain.</summary>
/// <param name="Sequence">The 1-based position in the log.</param>
/// <param name="Event">The event.</param>
/// <param name="PreviousHash">The previous record's hash (<see cref="AuditChain.GenesisHash"/> for the first).</param>
/// <param name="Hash">This record's hash over its sequence, previous hash and event (see <see cref="AuditChain.ComputeHash"/>).</param>
public sealed record AuditRecord(long Sequence, AuditEvent Event, string PreviousHash, string Hash);
