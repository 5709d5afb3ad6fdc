namespace IronCage.Rotation;

/// <summary>
/// A backup could not be restored (or verified): <see cref="Problem"/> says why. Nothing was written to the store. The
/// message says how to fix it and never holds a secret.
/// </summary>
public sealed class StoreBackupException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="problem">What is wrong.</param>
    /// <param name="message">The message.</param>
    /// <param name="keyEncryptionKeyId">The KEK id involved, if any.</param>
    /// <param name="innerException">The cause, if any.</param>
    public StoreBackupException(StoreBackupProblem problem, string message, string? keyEncryptionKeyId = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Problem = problem;
        KeyEncryptionKeyId = keyEncryptionKeyId;
    }

    /// <summary>Gets what is wrong.</summary>
    public StoreBackupProblem Problem { get; }

    /// <summary>Gets the id of the key-encryption key the restore needs (with <see cref="StoreBackupProblem.KeyEncryptionKeyUnavailable"/>), or <see langword="null"/>.</summary>
    public string? KeyEncryptionKeyId { get; }
}
