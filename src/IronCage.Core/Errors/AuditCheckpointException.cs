namespace IronCage;

/// <summary>
/// An audit checkpoint read back from its sink does not carry a valid MAC: it was forged or changed, or made under a
/// master key this host does not have. The audit chain cannot be checked against it.
/// </summary>
public sealed class AuditCheckpointException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="sequence">The sequence the checkpoint claims.</param>
    /// <param name="message">What is wrong and how to fix it.</param>
    public AuditCheckpointException(long sequence, string message)
        : base(message)
    {
        Sequence = sequence;
    }

    /// <summary>Gets the sequence the checkpoint claims.</summary>
    public long Sequence { get; }
}
