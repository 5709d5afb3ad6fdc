namespace IronCage.Auditing;

/// <summary>
/// One stored audit record as a store read it: <see cref="Event"/> is <see langword="null"/> when the stored event
/// could not be read back (corrupt JSON, an unparsable timestamp, ...), which verification reports instead of throwing.
/// </summary>
internal readonly record struct AuditRow(long Sequence, AuditEvent? Event, string PreviousHash, string Hash)
{
    public static AuditRow Of(AuditRecord record) => new(record.Sequence, record.Event, record.PreviousHash, record.Hash);
}
