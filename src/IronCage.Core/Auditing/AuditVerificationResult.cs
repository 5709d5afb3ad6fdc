namespace IronCage.Auditing;

/// <summary>The outcome of verifying an audit chain.</summary>
public sealed class AuditVerificationResult
{
    internal AuditVerificationResult(long recordsChecked, AuditCheckpoint? head, long? firstInvalidSequence, AuditTamperKind? tamper, string message)
    {
        RecordsChecked = recordsChecked;
        Head = head;
        FirstInvalidSequence = firstInvalidSequence;
        Tamper = tamper;
        Message = message;
    }

    /// <summary>Gets a value indicating whether the whole chain verified.</summary>
    public bool IsValid => Tamper is null;

    /// <summary>Gets how many records were checked.</summary>
    public long RecordsChecked { get; }

    /// <summary>Gets the chain's head when valid: keep it outside the log to detect later truncation.</summary>
    public AuditCheckpoint? Head { get; }

    /// <summary>Gets the sequence number of the first tampered or missing record.</summary>
    public long? FirstInvalidSequence { get; }

    /// <summary>Gets how the chain was broken.</summary>
    public AuditTamperKind? Tamper { get; }

    /// <summary>Gets a sentence describing the outcome.</summary>
    public string Message { get; }

    /// <inheritdoc />
    public override string ToString() => Message;
}
