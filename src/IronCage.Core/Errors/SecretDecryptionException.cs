namespace IronCage;

/// <summary>
/// An encrypted secret could not be opened: its key-encryption key is not configured, the master key is
/// wrong, or the ciphertext was altered or moved to another key or version.
/// </summary>
public sealed class SecretDecryptionException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What failed and how to fix it.</param>
    /// <param name="innerException">The cryptographic failure, if any.</param>
    public SecretDecryptionException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
