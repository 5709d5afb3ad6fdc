namespace IronCage;

/// <summary>A rotation policy, schedule or maintenance window is invalid. The message says which part and what is accepted.</summary>
public sealed class RotationPolicyException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What is wrong and what is accepted.</param>
    /// <param name="innerException">The parse failure, if any.</param>
    public RotationPolicyException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
