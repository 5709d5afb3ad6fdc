namespace IronCage.Encryption;

/// <summary>
/// A secret sealed by envelope encryption: AES-256-GCM ciphertext (with its 16-byte tag) under a data key of its
/// own, the data key wrapped by a key-encryption key (KEK), the KEK's id, and the nonce. Safe to store.
/// </summary>
public sealed record EncryptedSecret
{
    /// <summary>The format this version of IronCage writes.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Gets the format version (see <see cref="CurrentFormatVersion"/>).</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Gets the id of the key-encryption key that wrapped <see cref="WrappedDataKey"/>.</summary>
    public required string KeyEncryptionKeyId { get; init; }

    /// <summary>Gets the data key, wrapped by the key-encryption key.</summary>
    public required ReadOnlyMemory<byte> WrappedDataKey { get; init; }

    /// <summary>Gets the 12-byte AES-GCM nonce.</summary>
    public required ReadOnlyMemory<byte> Nonce { get; init; }

    /// <summary>Gets the ciphertext followed by the 16-byte authentication tag.</summary>
    public required ReadOnlyMemory<byte> Ciphertext { get; init; }

    /// <summary>Returns a summary without any key material.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"EncryptedSecret(v{FormatVersion}, kek {KeyEncryptionKeyId}, {Ciphertext.Length} bytes)";
}
