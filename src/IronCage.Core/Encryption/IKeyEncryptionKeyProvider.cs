namespace IronCage.Encryption;

/// <summary>
/// Wraps and unwraps data keys with a key-encryption key (KEK): a local master key, or later a cloud KMS key.
/// Implementations must be safe for concurrent use.
/// </summary>
public interface IKeyEncryptionKeyProvider
{
    /// <summary>Gets the id of the KEK new data keys are wrapped with.</summary>
    string CurrentKeyId { get; }

    /// <summary>Wraps a data key with the current KEK.</summary>
    /// <param name="dataKey">The 32-byte data key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The wrapped key and the KEK id.</returns>
    ValueTask<WrappedKey> WrapKeyAsync(ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken = default);

    /// <summary>Unwraps a data key. The caller zeroes the returned bytes when done.</summary>
    /// <param name="wrappedKey">The wrapped key and the id of the KEK that wrapped it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The data key.</returns>
    /// <exception cref="SecretDecryptionException">The KEK is not available, or the wrapped key does not open with it.</exception>
    ValueTask<byte[]> UnwrapKeyAsync(WrappedKey wrappedKey, CancellationToken cancellationToken = default);
}
