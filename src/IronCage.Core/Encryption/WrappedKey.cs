namespace IronCage.Encryption;

/// <summary>A data key wrapped by a key-encryption key.</summary>
/// <param name="KeyEncryptionKeyId">The id of the key-encryption key that wrapped it.</param>
/// <param name="Ciphertext">The wrapped data key.</param>
public readonly record struct WrappedKey(string KeyEncryptionKeyId, ReadOnlyMemory<byte> Ciphertext);
