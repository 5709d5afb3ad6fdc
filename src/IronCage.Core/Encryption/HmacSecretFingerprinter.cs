using System.Security.Cryptography;

namespace IronCage.Encryption;

/// <summary>
/// HMAC-SHA256 fingerprints: <c>fp1.&lt;fingerprint key id&gt;.&lt;first 16 bytes of the MAC, base64url&gt;</c>.
/// Fingerprint keys are derived from each local master key (HKDF, a purpose of their own), so every host sharing
/// the master key computes the same fingerprint, and fingerprints made before a master-key rotation still match.
/// </summary>
public sealed class HmacSecretFingerprinter : ISecretFingerprinter
{
    private const string Purpose = "IronCage.Fingerprint.v1";
    private const string Prefix = "fp1.";
    private const int MacBytes = 16;
    private readonly Dictionary<string, byte[]> _keys;
    private readonly string _currentId;

    /// <summary>Creates a fingerprinter whose keys are derived from the local master keys.</summary>
    /// <param name="masterKeys">The local master key provider.</param>
    public HmacSecretFingerprinter(LocalMasterKeyProvider masterKeys)
    {
        ArgumentNullException.ThrowIfNull(masterKeys);
        _keys = masterKeys.KeyIds.ToDictionary(id => id, id => masterKeys.DeriveKey(id, Purpose), StringComparer.Ordinal);
        _currentId = masterKeys.CurrentKeyId;
    }

    /// <summary>Creates a fingerprinter with an explicit key (at least 32 bytes).</summary>
    /// <param name="keyId">An id for the key, embedded in fingerprints (letters, digits and dashes).</param>
    /// <param name="key">The HMAC key.</param>
    public HmacSecretFingerprinter(string keyId, ReadOnlySpan<byte> key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        if (keyId.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException("A fingerprint key id cannot contain '.'.", nameof(keyId));
        }

        if (key.Length < 32)
        {
            throw new ArgumentException("A fingerprint key must be at least 32 bytes.", nameof(key));
        }

        _keys = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [keyId] = key.ToArray() };
        _currentId = keyId;
    }

    internal static HmacSecretFingerprinter FromConfiguredKey(string base64Key)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64Key.Trim());
        }
        catch (FormatException)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(nameof(LocalMasterKeyOptions), typeof(LocalMasterKeyOptions), ["LocalMasterKeyOptions.FingerprintKey is not valid base64. Use at least 32 random bytes encoded as base64 (for example from 'openssl rand -base64 32')."]);
        }

        if (key.Length < 32)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(nameof(LocalMasterKeyOptions), typeof(LocalMasterKeyOptions), [$"LocalMasterKeyOptions.FingerprintKey is {key.Length} bytes; use at least 32 random bytes encoded as base64."]);
        }

        var id = "fpk-" + Convert.ToHexString(SHA256.HashData([.. "IronCage.Fingerprint.id.v1"u8, .. key]).AsSpan(0, 8)).ToLowerInvariant();
        try
        {
            return new HmacSecretFingerprinter(id, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <inheritdoc />
    public string Compute(SecretValue secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Prefix + _currentId + "." + Mac(_keys[_currentId], secret);
    }

    /// <inheritdoc />
    public bool Matches(SecretValue secret, string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (fingerprint is null || !fingerprint.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = fingerprint[Prefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !_keys.TryGetValue(rest[..dot], out var key))
        {
            return false;
        }

        var expected = System.Text.Encoding.ASCII.GetBytes(rest[(dot + 1)..]);
        var actual = System.Text.Encoding.ASCII.GetBytes(Mac(key, secret));
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    private static string Mac(byte[] key, SecretValue secret)
    {
        return secret.UseBytes(key, static (bytes, k) =>
        {
            Span<byte> mac = stackalloc byte[32];
            HMACSHA256.HashData(k, bytes, mac);
            return Convert.ToBase64String(mac[..MacBytes]).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        });
    }
}
