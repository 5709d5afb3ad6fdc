using System.Security.Cryptography;
using System.Text;
using IronCage.Internal;
using Microsoft.Extensions.Options;

namespace IronCage.Encryption;

/// <summary>
/// An <see cref="IKeyEncryptionKeyProvider"/> over a local 256-bit master key (and retired ones, for re-wrapping):
/// data keys are wrapped with AES-256-GCM. Key ids (<c>local-</c> and 16 hex characters) are derived from the key
/// material, so the same master key always has the same id. Thread-safe.
/// </summary>
public sealed class LocalMasterKeyProvider : IKeyEncryptionKeyProvider, IDisposable
{
    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] IdLabel = "IronCage.KEK.id.v1"u8.ToArray();
    private readonly Dictionary<string, byte[]> _keys;
    private readonly Dictionary<string, KeyCiphers> _ciphers = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private volatile bool _disposed;

    /// <summary>Creates the provider from options (as registered by <c>ProtectKeysWithMasterKey…</c>).</summary>
    /// <param name="options">Where the master key comes from.</param>
    /// <exception cref="OptionsValidationException">No usable master key is configured; the message says how to provide one.</exception>
    public LocalMasterKeyProvider(IOptions<LocalMasterKeyOptions> options)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)), Environment.GetEnvironmentVariable)
    {
    }

    internal LocalMasterKeyProvider(LocalMasterKeyOptions options, Func<string, string?> getEnvironmentVariable)
    {
        if (!TryLoad(options, getEnvironmentVariable, out var current, out var retired, out var error))
        {
            throw new OptionsValidationException(nameof(LocalMasterKeyOptions), typeof(LocalMasterKeyOptions), [error]);
        }

        _keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        CurrentKeyId = Add(current);
        foreach (var key in retired)
        {
            Add(key);
        }
    }

    /// <inheritdoc />
    public string CurrentKeyId { get; }

    /// <summary>Gets the ids of every key in the ring (current and retired).</summary>
    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    /// <summary>Creates a new random master key, base64-encoded, for an operator to store (for example in a secret manager).</summary>
    /// <returns>32 random bytes as base64.</returns>
    public static string GenerateMasterKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeySize));

    /// <inheritdoc />
    public ValueTask<WrappedKey> WrapKeyAsync(ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var output = new byte[NonceSize + dataKey.Length + TagSize];
        var span = output.AsSpan();
        NonceSource.Fill(span[..NonceSize]);
        var ciphers = CiphersOf(CurrentKeyId);
        var aes = ciphers.Rent();
        try
        {
            aes.Encrypt(span[..NonceSize], dataKey.Span, span.Slice(NonceSize, dataKey.Length), span[^TagSize..], ciphers.AssociatedData);
        }
        finally
        {
            ciphers.Return(aes, _disposed);
        }

        return ValueTask.FromResult(new WrappedKey(CurrentKeyId, output));
    }

    /// <inheritdoc />
    public ValueTask<byte[]> UnwrapKeyAsync(WrappedKey wrappedKey, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (wrappedKey.KeyEncryptionKeyId is null || !_keys.ContainsKey(wrappedKey.KeyEncryptionKeyId))
        {
            throw new SecretDecryptionException(
                $"The key-encryption key '{wrappedKey.KeyEncryptionKeyId}' is not configured (configured: {string.Join(", ", _keys.Keys)}). If the master key was rotated, add the old one to RetiredMasterKeys until every secret is re-wrapped; otherwise the wrong master key is configured.");
        }

        var wrapped = wrappedKey.Ciphertext.Span;
        if (wrapped.Length < NonceSize + TagSize + 1)
        {
            throw new SecretDecryptionException($"A data key wrapped by '{wrappedKey.KeyEncryptionKeyId}' is truncated ({wrapped.Length} bytes).");
        }

        var dataKey = new byte[wrapped.Length - NonceSize - TagSize];
        try
        {
            var ciphers = CiphersOf(wrappedKey.KeyEncryptionKeyId);
            var aes = ciphers.Rent();
            try
            {
                aes.Decrypt(wrapped[..NonceSize], wrapped[NonceSize..^TagSize], wrapped[^TagSize..], dataKey, ciphers.AssociatedData);
            }
            finally
            {
                ciphers.Return(aes, _disposed);
            }

            return ValueTask.FromResult(dataKey);
        }
        catch (CryptographicException ex)
        {
            CryptographicOperations.ZeroMemory(dataKey);
            throw new SecretDecryptionException(
                $"A data key does not open with key-encryption key '{wrappedKey.KeyEncryptionKeyId}': the wrapped key was altered, or a different master key now has that id.",
                ex);
        }
    }

    /// <summary>Zeroes the master keys held in memory. Later wrap and unwrap calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var key in _keys.Values)
            {
                CryptographicOperations.ZeroMemory(key);
            }

            foreach (var ciphers in _ciphers.Values)
            {
                ciphers.Clear();
            }
        }
    }

    internal static bool TryLoad(LocalMasterKeyOptions options, Func<string, string?> getEnvironmentVariable, out byte[] current, out List<byte[]> retired, out string error)
    {
        current = [];
        retired = [];
        string? text;
        string source;
        if (options.MasterKey is not null)
        {
            text = options.MasterKey;
            source = "the configured MasterKey option";
        }
        else if (!string.IsNullOrWhiteSpace(options.MasterKeyFile))
        {
            source = $"the file '{options.MasterKeyFile}'";
            try
            {
                text = File.ReadAllText(options.MasterKeyFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                error = $"The IronCage master key file '{options.MasterKeyFile}' cannot be read ({ex.GetType().Name}). Check the path and the process's permissions.";
                return false;
            }
        }
        else
        {
            source = $"the environment variable {options.EnvironmentVariable}";
            text = string.IsNullOrWhiteSpace(options.EnvironmentVariable) ? null : getEnvironmentVariable(options.EnvironmentVariable);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"No IronCage master key is configured: {source} is empty. Provide 32 random bytes as base64 (for example from 'openssl rand -base64 32') in the {options.EnvironmentVariable} environment variable, or call ProtectKeysWithMasterKey(...) or ProtectKeysWithMasterKeyFile(...). IronCage never generates a master key on its own: losing it loses every stored secret.";
            return false;
        }

        if (!TryDecode(text, source, out current, out error))
        {
            return false;
        }

        for (var i = 0; i < options.RetiredMasterKeys.Count; i++)
        {
            if (!TryDecode(options.RetiredMasterKeys[i], $"retired master key #{i + 1}", out var old, out error))
            {
                return false;
            }

            retired.Add(old);
        }

        error = string.Empty;
        return true;
    }

    private static bool TryDecode(string text, string source, out byte[] key, out string error)
    {
        key = [];
        var buffer = GC.AllocateArray<byte>(text.Length, pinned: true);
        try
        {
            if (!Convert.TryFromBase64String(text.Trim(), buffer, out var length))
            {
                error = $"The IronCage master key from {source} is not valid base64. It must be 32 random bytes encoded as base64 (44 characters, for example from 'openssl rand -base64 32').";
                return false;
            }

            if (length != KeySize)
            {
                error = $"The IronCage master key from {source} is {length} bytes long; it must be exactly {KeySize} bytes (256 bits), encoded as base64.";
                return false;
            }

            var span = buffer.AsSpan(0, KeySize);
            if (!span.ContainsAnyExcept(span[0]))
            {
                error = $"The IronCage master key from {source} repeats a single byte value: it is not random. Generate one with 'openssl rand -base64 32'.";
                return false;
            }

            key = GC.AllocateArray<byte>(KeySize, pinned: true);
            span.CopyTo(key);
            error = string.Empty;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    private string Add(byte[] key)
    {
        var id = "local-" + Convert.ToHexString(SHA256.HashData([.. IdLabel, .. key]).AsSpan(0, 8)).ToLowerInvariant();
        _keys.TryAdd(id, key);
        return id;
    }

    internal byte[] DeriveKey(string keyId, string purpose)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, _keys[keyId], KeySize, info: Encoding.UTF8.GetBytes(purpose));
        }
    }

    // A key schedule per call would cost more than the encryption itself: each KEK keeps a few ready AesGcm instances
    // (AesGcm copies the key into its own handle; one instance serves one call at a time). Creating one takes the lock
    // that keeps Dispose from zeroing the key bytes halfway through.
    private KeyCiphers CiphersOf(string keyId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_ciphers.TryGetValue(keyId, out var ciphers))
            {
                ciphers = new KeyCiphers(this, keyId);
                _ciphers.Add(keyId, ciphers);
            }

            return ciphers;
        }
    }

    private AesGcm CreateCipher(string keyId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new AesGcm(_keys[keyId], TagSize);
        }
    }

    /// <summary>
    /// The ready ciphers of one key-encryption key, and its associated data. A fixed array of slots taken and filled with
    /// interlocked exchanges: no lock and no allocation per call (a <c>ConcurrentBag</c>'s <c>Count</c>, read on every
    /// return, locks every thread's list).
    /// </summary>
    private sealed class KeyCiphers(LocalMasterKeyProvider owner, string keyId)
    {
        private readonly AesGcm?[] _ready = new AesGcm?[Math.Max(4, Environment.ProcessorCount * 2)];

        public byte[] AssociatedData { get; } = [.. "IronCage.KEK.v1:"u8, .. Encoding.UTF8.GetBytes(keyId)];

        public AesGcm Rent()
        {
            for (var i = 0; i < _ready.Length; i++)
            {
                if (Interlocked.Exchange(ref _ready[i], null) is { } aes)
                {
                    return aes;
                }
            }

            return owner.CreateCipher(keyId);
        }

        public void Return(AesGcm aes, bool disposed)
        {
            if (!disposed)
            {
                for (var i = 0; i < _ready.Length; i++)
                {
                    if (Interlocked.CompareExchange(ref _ready[i], aes, null) is null)
                    {
                        if (owner._disposed)
                        {
                            // Dispose ran while this call held the cipher: it must not outlive the provider.
                            Clear();
                        }

                        return;
                    }
                }
            }

            aes.Dispose();
        }

        public void Clear()
        {
            for (var i = 0; i < _ready.Length; i++)
            {
                Interlocked.Exchange(ref _ready[i], null)?.Dispose();
            }
        }
    }
}
