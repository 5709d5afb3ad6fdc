using System.Security.Cryptography;
using IronCage.Telemetry;

namespace IronCage.Encryption;

/// <summary>The AES-256-GCM envelope implementation of <see cref="ISecretProtector"/>. Thread-safe: every operation uses its own <see cref="AesGcm"/>.</summary>
public sealed class EnvelopeSecretProtector : ISecretProtector
{
    private const int DataKeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
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
        var associatedData = binding.ToAssociatedData();
        var dataKey = GC.AllocateArray<byte>(DataKeySize, pinned: true);
        try
        {
            RandomNumberGenerator.Fill(dataKey);
            var nonce = RandomNumberGenerator.GetBytes(NonceSize);
            var ciphertext = new byte[secret.Length + TagSize];
            secret.UseBytes((dataKey, nonce, ciphertext, associatedData), static (plaintext, s) =>
            {
                using var aes = new AesGcm(s.dataKey, TagSize);
                aes.Encrypt(s.nonce, plaintext, s.ciphertext.AsSpan(0, plaintext.Length), s.ciphertext.AsSpan(plaintext.Length), s.associatedData);
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
            CryptographicOperations.ZeroMemory(dataKey);
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

        var associatedData = binding.ToAssociatedData();
        var dataKey = await _kek.UnwrapKeyAsync(new WrappedKey(encrypted.KeyEncryptionKeyId, encrypted.WrappedDataKey), cancellationToken).ConfigureAwait(false);
        var plaintextLength = encrypted.Ciphertext.Length - TagSize;
        var plaintext = GC.AllocateArray<byte>(plaintextLength, pinned: true);
        try
        {
            if (dataKey.Length != DataKeySize)
            {
                throw new SecretDecryptionException($"The data key of {binding} unwrapped to {dataKey.Length} bytes instead of {DataKeySize}: the wrapped key is corrupt.");
            }

            using (var aes = new AesGcm(dataKey, TagSize))
            {
                var ciphertext = encrypted.Ciphertext.Span;
                aes.Decrypt(encrypted.Nonce.Span, ciphertext[..plaintextLength], ciphertext[plaintextLength..], plaintext, associatedData);
            }

            IronCageTelemetry.SecretOperations.Add(1, new(IronCageTelemetry.OperationTag, IronCageTelemetry.OpenOperation), new(IronCageTelemetry.OutcomeTag, IronCageTelemetry.SuccessOutcome));
            return SecretValue.FromUtf8(plaintext);
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
            CryptographicOperations.ZeroMemory(plaintext);
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
}
