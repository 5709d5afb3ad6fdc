using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IronCage.Encryption;
using NodaTime;

namespace IronCage.Auditing;

/// <summary>
/// Makes and checks the MACs of <see cref="AuthenticatedAuditCheckpoint"/>s: HMAC-SHA256 under a key derived (HKDF,
/// a purpose of its own) from each local master key, so every host sharing the master key accepts the others'
/// checkpoints, and checkpoints made before a master-key rotation still verify while the old key is in the ring.
/// </summary>
public sealed class AuditCheckpointAuthenticator
{
    private const string Purpose = "IronCage.AuditCheckpoint.v1";
    private readonly Dictionary<string, byte[]> _keys;
    private readonly string _currentId;

    /// <summary>Creates an authenticator whose keys are derived from the local master keys.</summary>
    /// <param name="masterKeys">The local master key provider.</param>
    public AuditCheckpointAuthenticator(LocalMasterKeyProvider masterKeys)
    {
        ArgumentNullException.ThrowIfNull(masterKeys);
        _keys = masterKeys.KeyIds.ToDictionary(id => id, id => masterKeys.DeriveKey(id, Purpose), StringComparer.Ordinal);
        _currentId = masterKeys.CurrentKeyId;
    }

    /// <summary>Creates an authenticator with an explicit key (at least 32 bytes), for hosts whose master key is not local.</summary>
    /// <param name="keyId">An id for the key, stored with each checkpoint.</param>
    /// <param name="key">The HMAC key.</param>
    /// <exception cref="ArgumentException">The id is empty or the key shorter than 32 bytes.</exception>
    public AuditCheckpointAuthenticator(string keyId, ReadOnlySpan<byte> key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        if (key.Length < 32)
        {
            throw new ArgumentException("An audit checkpoint key must be at least 32 random bytes.", nameof(key));
        }

        _keys = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [keyId] = key.ToArray() };
        _currentId = keyId;
    }

    /// <summary>Authenticates a checkpoint with the current key.</summary>
    /// <param name="checkpoint">The chain's head.</param>
    /// <param name="takenAt">When it was taken.</param>
    /// <returns>The checkpoint with its MAC.</returns>
    public AuthenticatedAuditCheckpoint Authenticate(AuditCheckpoint checkpoint, Instant takenAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpoint.Hash, nameof(checkpoint));
        return new AuthenticatedAuditCheckpoint(checkpoint, takenAt, _currentId, Mac(_keys[_currentId], _currentId, checkpoint, takenAt));
    }

    /// <summary>Checks a checkpoint's MAC, in fixed time.</summary>
    /// <param name="checkpoint">The checkpoint as read back from where it was exported to.</param>
    /// <returns><see langword="true"/> when its MAC was made with one of this host's keys over exactly these values.</returns>
    public bool IsAuthentic(AuthenticatedAuditCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.KeyId is null || checkpoint.Mac is null || checkpoint.Checkpoint.Hash is null || !_keys.TryGetValue(checkpoint.KeyId, out var key))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Mac(key, checkpoint.KeyId, checkpoint.Checkpoint, checkpoint.TakenAt));
        var actual = Encoding.ASCII.GetBytes(checkpoint.Mac);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    private static string Mac(byte[] key, string keyId, AuditCheckpoint checkpoint, Instant takenAt)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        Append(hmac, Purpose);
        Append(hmac, keyId);
        Append(hmac, checkpoint.Sequence.ToString(CultureInfo.InvariantCulture));
        Append(hmac, checkpoint.Hash);
        Append(hmac, AuditChain.TimestampText(takenAt));
        return Convert.ToBase64String(hmac.GetHashAndReset()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static void Append(IncrementalHash hmac, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hmac.AppendData(length);
        hmac.AppendData(bytes);
    }
}
