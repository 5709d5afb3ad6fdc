using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronCage;

/// <summary>
/// An <see cref="IKeyStore"/> in process memory: for tests and demos. Everything is lost when the process stops; a
/// warning is logged when it is created. Thread-safe; updates are compare-and-swap on the concurrency token.
/// </summary>
public sealed class InMemoryKeyStore : IKeyStore
{
    private readonly ConcurrentDictionary<KeyReference, ManagedKey> _keys = new();

    /// <summary>Creates an empty store.</summary>
    public InMemoryKeyStore()
        : this(NullLogger<InMemoryKeyStore>.Instance)
    {
    }

    /// <summary>Creates an empty store and warns that it does not persist.</summary>
    /// <param name="logger">The logger.</param>
    public InMemoryKeyStore(ILogger<InMemoryKeyStore> logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        Log.InMemoryKeyStoreInUse(logger);
    }

    /// <inheritdoc />
    public ValueTask<ManagedKey?> FindAsync(KeyReference key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_keys.TryGetValue(key, out var found) ? found : null);
    }

    /// <inheritdoc />
    public ValueTask<ManagedKey> GetAsync(KeyReference key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _keys.TryGetValue(key, out var found) ? ValueTask.FromResult(found) : throw new ManagedKeyNotFoundException(key);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ManagedKey> ListAsync(ProviderId? provider = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var snapshot = _keys.Values
            .Where(k => provider is null || k.Provider == provider.Value)
            .OrderBy(k => k.Reference.ToString(), StringComparer.Ordinal)
            .ToList();
        foreach (var key in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return key;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<ManagedKey> CreateAsync(ManagedKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        key.Validate();
        var stored = key with { ConcurrencyToken = 1 };
        return _keys.TryAdd(key.Reference, stored) ? ValueTask.FromResult(stored) : throw new ManagedKeyAlreadyExistsException(key.Reference);
    }

    /// <inheritdoc />
    public ValueTask<ManagedKey> UpdateAsync(ManagedKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        key.Validate();
        if (!_keys.TryGetValue(key.Reference, out var current))
        {
            throw new ConcurrencyConflictException(key.Reference, key.ConcurrencyToken, null);
        }

        if (current.ConcurrencyToken != key.ConcurrencyToken)
        {
            throw new ConcurrencyConflictException(key.Reference, key.ConcurrencyToken, current.ConcurrencyToken);
        }

        var stored = key with { ConcurrencyToken = current.ConcurrencyToken + 1 };
        if (!_keys.TryUpdate(key.Reference, stored, current))
        {
            var now = _keys.TryGetValue(key.Reference, out var raced) ? raced.ConcurrencyToken : (long?)null;
            throw new ConcurrencyConflictException(key.Reference, key.ConcurrencyToken, now);
        }

        return ValueTask.FromResult(stored);
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(KeyReference key, long expectedConcurrencyToken, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_keys.TryGetValue(key, out var current))
        {
            throw new ManagedKeyNotFoundException(key);
        }

        if (current.ConcurrencyToken != expectedConcurrencyToken
            || !_keys.TryRemove(new KeyValuePair<KeyReference, ManagedKey>(key, current)))
        {
            var now = _keys.TryGetValue(key, out var raced) ? raced.ConcurrencyToken : (long?)null;
            throw new ConcurrencyConflictException(key, expectedConcurrencyToken, now);
        }

        return ValueTask.CompletedTask;
    }
}
