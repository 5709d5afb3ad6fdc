namespace IronCage.Encryption;

/// <summary>
/// Envelope encryption of secrets: each secret is sealed with AES-256-GCM under a fresh data key, which is wrapped
/// by the current key-encryption key; the managed key and version are bound in as associated data.
/// </summary>
public interface ISecretProtector
{
    /// <summary>Seals a secret for one managed key version.</summary>
    /// <param name="secret">The secret.</param>
    /// <param name="binding">The managed key and version the secret belongs to.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The sealed secret, safe to store.</returns>
    ValueTask<EncryptedSecret> SealAsync(SecretValue secret, SecretBinding binding, CancellationToken cancellationToken = default);

    /// <summary>Opens a sealed secret.</summary>
    /// <param name="encrypted">The sealed secret.</param>
    /// <param name="binding">The managed key and version it must belong to.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The secret; the caller disposes it.</returns>
    /// <exception cref="SecretDecryptionException">The KEK is missing or wrong, or the ciphertext was altered or belongs to another key or version.</exception>
    ValueTask<SecretValue> OpenAsync(EncryptedSecret encrypted, SecretBinding binding, CancellationToken cancellationToken = default);

    /// <summary>
    /// Re-wraps a sealed secret's data key with the current KEK after a KEK rotation. The ciphertext and nonce are
    /// unchanged: the secret itself is never decrypted.
    /// </summary>
    /// <param name="encrypted">The sealed secret.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The same secret wrapped by the current KEK (the input itself when it already is).</returns>
    /// <exception cref="SecretDecryptionException">The KEK that wrapped it is not available.</exception>
    ValueTask<EncryptedSecret> RewrapAsync(EncryptedSecret encrypted, CancellationToken cancellationToken = default);
}
