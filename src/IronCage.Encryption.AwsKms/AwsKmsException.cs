namespace IronCage.Encryption.AwsKms;

/// <summary>A call to AWS KMS failed. The message says what to fix; it never holds key material.</summary>
public sealed class AwsKmsException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What failed and how to fix it.</param>
    /// <param name="errorCode">KMS's error code (<c>DisabledException</c>…), or <see langword="null"/> when KMS was not reached.</param>
    /// <param name="requestId">KMS's request id, if any.</param>
    /// <param name="isTransient">Whether retrying later may succeed.</param>
    /// <param name="innerException">The AWS SDK's exception.</param>
    public AwsKmsException(string message, string? errorCode, string? requestId, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        RequestId = requestId;
        IsTransient = isTransient;
    }

    /// <summary>Gets KMS's error code, or <see langword="null"/> when KMS was not reached.</summary>
    public string? ErrorCode { get; }

    /// <summary>Gets KMS's request id, if any.</summary>
    public string? RequestId { get; }

    /// <summary>Gets a value indicating whether retrying later may succeed (KMS unreachable, throttled or failing internally).</summary>
    public bool IsTransient { get; }
}
