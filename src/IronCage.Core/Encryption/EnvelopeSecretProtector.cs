using System.Security.Cryptography;
using IronCage.Internal;
using IronCage.Telemetry;

namespace IronCage.Encryption;

/// <summary>The AES-256-GCM envelope implementation of <see cref="ISecretProtector"/>. Thread-safe: every operation uses its own <see cref="AesGcm"/>.</summary>
public sealed class EnvelopeSecretProtector : ISecretProtector
{
    private const int DataKeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly PinnedBufferPool DataKeys = new(DataKeySize);
    private readonly IKeyEncryptionKeyProvider _kek;

    /// <summary>Creates a protector.</summary>
    /// <param name="keyEncryptionKeyProvider">Wraps and unwraps data keys.</param>
    public EnvelopeSecretProtector(IKeyEncryptionKeyProvider keyEncryptionKeyProvider)
    {
        ArgumentNullException.ThrowIfNull(keyEncryptionKeyProvider);
        if (!AesGcm.IsSupported)
        {
            throw new PlatformNotSupportedException("AES-GCM is not available on this platform; IronCage needs it to encrypt secrets.");
        }

        _kek = keyEncryptionKeyProvider;
    }

    /// <inheritdoc />
    public async ValueTask<EncryptedSecret> SealAsync(SecretValue secret, SecretBinding binding, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var dataKey = DataKeys.Rent();
        try
        {
            // One call to the system's random source for both (each call costs about as much as the encryption).
            var nonce = new byte[NonceSize];
            Span<byte> random = stackalloc byte[DataKeySize + NonceSize];
            RandomNumberGenerator.Fill(random);
            random[..DataKeySize].CopyTo(dataKey);
            random[DataKeySize..].CopyTo(nonce);
            CryptographicOperations.ZeroMemory(random);
            var ciphertext = new byte[secret.Length + TagSize];
            secret.UseBytes((dataKey, nonce, ciphertext, binding), static (plaintext, s) =>
            {
                Encrypt(s.dataKey, s.nonce, plaintext, s.ciphertext, s.binding);
                return true;
            });

            var wrapped = await _kek.WrapKeyAsync(dataKey, cancellationToken).ConfigureAwait(false);
            IronCageTelemetry.SecretOperations.Add(1, new(IronCageTelemetry.OperationTag, IronCageTelemetry.SealOperation), new(IronCageTelemetry.OutcomeTag, IronCageTelemetry.SuccessOutcome));
            return new EncryptedSecret
            {
                KeyEncryptionKeyId = wrapped.KeyEncryptionKeyId,
                WrappedDataKey = wrapped.Ciphertext,
                Nonce = nonce,
                Ciphertext = ciphertext,
            };
        }
        finally
        {
            DataKeys.Return(dataKey);
        }
    }

    /// <inheritdoc />
    public async ValueTask<SecretValue> OpenAsync(EncryptedSecret encrypted, SecretBinding binding, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encrypted);
        if (encrypted.FormatVersion != EncryptedSecret.CurrentFormatVersion)
        {
            throw new SecretDecryptionException($"The secret of {binding} has format version {encrypted.FormatVersion}, which this version of IronCage cannot read (it reads {EncryptedSecret.CurrentFormatVersion}). Upgrade IronCage.");
        }

        if (encrypted.Nonce.Length != NonceSize || encrypted.Ciphertext.Length < TagSize)
        {
            throw new SecretDecryptionException($"The secret of {binding} is truncated or malformed (nonce {encrypted.Nonce.Length} bytes, ciphertext {encrypted.Ciphertext.Length} bytes).");
        }

        var dataKey = await _kek.UnwrapKeyAsync(new WrappedKey(encrypted.KeyEncryptionKeyId, encrypted.WrappedDataKey), cancellationToken).ConfigureAwait(false);
        try
        {
            if (dataKey.Length != DataKeySize)
            {
                throw new SecretDecryptionException($"The data key of {binding} unwrapped to {dataKey.Length} bytes instead of {DataKeySize}: the wrapped key is corrupt.");
            }

            var opened = Decrypt(dataKey, encrypted, binding);
            IronCageTelemetry.SecretOperations.Add(1, new(IronCageTelemetry.OperationTag, IronCageTelemetry.OpenOperation), new(IronCageTelemetry.OutcomeTag, IronCageTelemetry.SuccessOutcome));
            return opened;
        }
        catch (CryptographicException ex)
        {
            IronCageTelemetry.SecretOperations.Add(1, new(IronCageTelemetry.OperationTag, IronCageTelemetry.OpenOperation), new(IronCageTelemetry.OutcomeTag, IronCageTelemetry.FailureOutcome));
            throw new SecretDecryptionException(
                $"The secret of {binding} does not open: its ciphertext was altered, or it belongs to another managed key or version. Restore the row from backup; never copy ciphertext between versions.",
                ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <inheritdoc />
    public async ValueTask<EncryptedSecret> RewrapAsync(EncryptedSecret encrypted, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encrypted);
        if (string.Equals(encrypted.KeyEncryptionKeyId, _kek.CurrentKeyId, StringComparison.Ordinal))
        {
            return encrypted;
        }

        var dataKey = await _kek.UnwrapKeyAsync(new WrappedKey(encrypted.KeyEncryptionKeyId, encrypted.WrappedDataKey), cancellationToken).ConfigureAwait(false);
        try
        {
            var wrapped = await _kek.WrapKeyAsync(dataKey, cancellationToken).ConfigureAwait(false);
            return encrypted with { KeyEncryptionKeyId = wrapped.KeyEncryptionKeyId, WrappedDataKey = wrapped.Ciphertext };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    // The associated data and a short plaintext live on the stack: nothing per call lands on the (pinned) heap, whose
    // garbage only a gen2 collection reclaims. Longer values take a pinned buffer, cleared before it is dropped.
    private const int StackLimit = 512;

    private static void Encrypt(byte[] dataKey, byte[] nonce, ReadOnlySpan<byte> plaintext, byte[] ciphertext, SecretBinding binding)
    {
        var length = binding.AssociatedDataLength;
        Span<byte> associatedData = length <= StackLimit ? stackalloc byte[length] : new byte[length];
        binding.WriteAssociatedData(associatedData);
        using var aes = new AesGcm(dataKey, TagSize);
        aes.Encrypt(nonce, plaintext, ciphertext.AsSpan(0, plaintext.Length), ciphertext.AsSpan(plaintext.Length), associatedData);
    }

    private static SecretValue Decrypt(byte[] dataKey, EncryptedSecret encrypted, SecretBinding binding)
    {
        var length = binding.AssociatedDataLength;
        Span<byte> associatedData = length <= StackLimit ? stackalloc byte[length] : new byte[length];
        binding.WriteAssociatedData(associatedData);
        var ciphertext = encrypted.Ciphertext.Span;
        var plaintextLength = ciphertext.Length - TagSize;
        var plaintext = plaintextLength <= StackLimit ? stackalloc byte[plaintextLength] : GC.AllocateArray<byte>(plaintextLength, pinned: true);
        try
        {
            using (var aes = new AesGcm(dataKey, TagSize))
            {
                aes.Decrypt(encrypted.Nonce.Span, ciphertext[..plaintextLength], ciphertext[plaintextLength..], plaintext, associatedData);
            }

            return SecretValue.FromUtf8(plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
