namespace IronCage;

/// <summary>
/// An update was based on a stale copy: someone else changed the managed key since it was read.
/// Re-read the key and apply the change again.
/// </summary>
public sealed class ConcurrencyConflictException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="expectedToken">The concurrency token the caller held.</param>
    /// <param name="actualToken">The token in the store, or <see langword="null"/> when the key was deleted.</param>
    public ConcurrencyConflictException(KeyReference key, long expectedToken, long? actualToken)
        : base(actualToken is null
            ? $"Managed key '{key}' was deleted after it was read (token {expectedToken}). Re-read it before changing it."
            : $"Managed key '{key}' was changed by someone else (read at token {expectedToken}, now {actualToken}). Re-read it and apply the change again.")
    {
        Key = key;
        ExpectedToken = expectedToken;
        ActualToken = actualToken;
    }

    /// <summary>Gets the managed key.</summary>
    public KeyReference Key { get; }

    /// <summary>Gets the concurrency token the caller held.</summary>
    public long ExpectedToken { get; }

    /// <summary>Gets the token in the store, or <see langword="null"/> when the key no longer exists.</summary>
    public long? ActualToken { get; }
}
