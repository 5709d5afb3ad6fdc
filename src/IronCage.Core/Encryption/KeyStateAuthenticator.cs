using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;

namespace IronCage.Encryption;

/// <summary>
/// Seals the security state of a key version (stage, kill, revocation and revocation failure, bound to the managed
/// key and the version id) with HMAC-SHA256 under a key derived from the master key (HKDF, a purpose of its own), so a
/// database edit that revives a killed or revoked version is found when the row is read: <c>ks1.&lt;key id&gt;.&lt;MAC, base64url&gt;</c>.
/// </summary>
/// <remarks>
/// The SQL stores write the seal with every version and refuse a version whose state does not match it
/// (<see cref="KeyStateTamperedException"/>). Seals made before a master-key rotation still verify while the old
/// key is in the ring.
/// </remarks>
public sealed class KeyStateAuthenticator
{
    private const string Purpose = "IronCage.KeyState.v1";
    private const string Prefix = "ks1.";
    private readonly Dictionary<string, byte[]> _keys;
    private readonly string _currentId;

    /// <summary>Creates an authenticator whose keys are derived from the local master keys.</summary>
    /// <param name="masterKeys">The local master key provider.</param>
    public KeyStateAuthenticator(LocalMasterKeyProvider masterKeys)
    {
        ArgumentNullException.ThrowIfNull(masterKeys);
        _keys = masterKeys.KeyIds.ToDictionary(id => id, id => masterKeys.DeriveKey(id, Purpose), StringComparer.Ordinal);
        _currentId = masterKeys.CurrentKeyId;
    }

    /// <summary>Creates an authenticator with an explicit key (at least 32 bytes), for hosts whose master key is not local.</summary>
    /// <param name="keyId">An id for the key, stored in each seal (letters, digits and dashes).</param>
    /// <param name="key">The HMAC key.</param>
    /// <exception cref="ArgumentException">The id is empty or contains '.', or the key is shorter than 32 bytes.</exception>
    public KeyStateAuthenticator(string keyId, ReadOnlySpan<byte> key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        if (keyId.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException("A key state seal key id cannot contain '.'.", nameof(keyId));
        }

        if (key.Length < 32)
        {
            throw new ArgumentException("A key state seal key must be at least 32 random bytes.", nameof(key));
        }

        _keys = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [keyId] = key.ToArray() };
        _currentId = keyId;
    }

    /// <summary>Seals a version's state with the current key.</summary>
    /// <param name="key">The managed key the version belongs to.</param>
    /// <param name="version">The version.</param>
    /// <returns>The seal, to store next to the version.</returns>
    public string Seal(KeyReference key, KeyVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return Prefix + _currentId + "." + Mac(_keys[_currentId], _currentId, key, version);
    }

    /// <summary>Checks a stored seal against a version's state, in fixed time.</summary>
    /// <param name="key">The managed key the version belongs to.</param>
    /// <param name="version">The version as read.</param>
    /// <param name="seal">The stored seal; <see langword="null"/> never matches.</param>
    /// <returns><see langword="true"/> when the seal was made with one of this host's keys over exactly this state.</returns>
    public bool IsAuthentic(KeyReference key, KeyVersion version, string? seal)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (seal is null || !seal.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = seal[Prefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !_keys.TryGetValue(rest[..dot], out var macKey))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Mac(macKey, rest[..dot], key, version));
        var actual = Encoding.ASCII.GetBytes(rest[(dot + 1)..]);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    /// <summary>Gets the ids of the keys this authenticator checks seals with.</summary>
    internal IReadOnlyCollection<string> KeyIds => _keys.Keys;

    /// <summary>Tells whether a seal was made with one of this authenticator's keys.</summary>
    internal bool HasKey(string keyId) => _keys.ContainsKey(keyId);

    /// <summary>The key id a well-formed seal names, or <see langword="null"/> for a missing or malformed seal.</summary>
    internal static string? KeyIdOf(string? seal)
    {
        if (seal is null || !seal.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var dot = seal.IndexOf('.', Prefix.Length);
        return dot > Prefix.Length ? seal[Prefix.Length..dot] : null;
    }

    private static string Mac(byte[] macKey, string keyId, KeyReference key, KeyVersion version)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, macKey);
        Append(hmac, Purpose);
        Append(hmac, keyId);
        Append(hmac, key.ToString());
        Append(hmac, version.VersionId);
        Append(hmac, ((int)version.Stage).ToString(CultureInfo.InvariantCulture));
        Append(hmac, Ticks(version.KilledAt));
        Append(hmac, Ticks(version.RevokedAt));
        Append(hmac, Ticks(version.RevocationFailedAt));
        return Convert.ToBase64String(hmac.GetHashAndReset()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static string Ticks(Instant? instant) => instant is { } value ? value.ToUnixTimeTicks().ToString(CultureInfo.InvariantCulture) : "-";

    private static void Append(IncrementalHash hmac, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hmac.AppendData(length);
        hmac.AppendData(bytes);
    }
}
