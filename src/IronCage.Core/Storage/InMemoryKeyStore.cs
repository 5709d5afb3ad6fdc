using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using IronCage.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Storage;

/// <summary>
/// An <see cref="IKeyStore"/> in process memory: for tests and demos. Everything is lost when the process stops; a
/// warning is logged when it is created. Thread-safe: reads take no lock, writes are serialised and compare the
/// concurrency token.
/// </summary>
public sealed class InMemoryKeyStore : IKeyStore, IKeyChangeFeed
{
    private readonly ConcurrentDictionary<KeyReference, ManagedKey> _keys = new();
    private readonly object _writeGate = new();

    // Tokens come from one counter for the whole store, so a key deleted and created again never gets a token its
    // predecessor had: a writer still holding the old key's token cannot overwrite the new key.
    private long _lastToken;

    private readonly Duration _defaultExpiryWarningLead;

    /// <summary>Creates an empty store.</summary>
    public InMemoryKeyStore()
        : this(NullLogger<InMemoryKeyStore>.Instance)
    {
    }

    /// <summary>Creates an empty store and warns that it does not persist.</summary>
    /// <param name="logger">The logger.</param>
    /// <remarks><see cref="ManagedKey.NextDueAt"/> uses <see cref="IronCageConstants.DefaultExpiryWarningLead"/> for policies without their own lead.</remarks>
    public InMemoryKeyStore(ILogger<InMemoryKeyStore> logger)
        : this(logger, Options.Create(new IronCageOptions()))
    {
    }

    /// <summary>Creates an empty store that computes <see cref="ManagedKey.NextDueAt"/> with the host's expiry warning lead, and warns that it does not persist.</summary>
    /// <param name="logger">The logger.</param>
    /// <param name="options">The IronCage options (<see cref="IronCageOptions.DefaultExpiryWarningLead"/>).</param>
    public InMemoryKeyStore(ILogger<InMemoryKeyStore> logger, IOptions<IronCageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(options);
        _defaultExpiryWarningLead = options.Value.DefaultExpiryWarningLead;
        Log.InMemoryKeyStoreInUse(logger);
    }

    /// <inheritdoc />
    public event EventHandler<KeyChangedEventArgs>? KeyChanged;

    /// <inheritdoc />
    /// <remarks>An in-memory store never misses its own changes; the event is never raised.</remarks>
    public event EventHandler? ChangesMissed
    {
        add { }
        remove { }
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
        cancellationToken.ThrowIfCancellationRequested();
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
    public ValueTask<IReadOnlyList<KeyReference>> ListDueAsync(Instant now, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<KeyReference> due = [.. _keys.Values
            .Where(k => k.NextDueAt is null || k.NextDueAt <= now)
            .OrderBy(k => k.NextDueAt.HasValue)
            .ThenBy(k => k.NextDueAt ?? Instant.MinValue)
            .ThenBy(k => k.Reference.ToString(), StringComparer.Ordinal)
            .Take(limit)
            .Select(k => k.Reference)];
        return ValueTask.FromResult(due);
    }

    /// <inheritdoc />
    public ValueTask<ManagedKey> CreateAsync(ManagedKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        key.Validate();
        var copy = Snapshot(key);
        lock (_writeGate)
        {
            if (_keys.ContainsKey(key.Reference))
            {
                throw new ManagedKeyAlreadyExistsException(key.Reference);
            }

            var stored = copy with { ConcurrencyToken = NextToken() };
            _keys[key.Reference] = stored;
            Changed(key.Reference);
            return ValueTask.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public ValueTask<ManagedKey> UpdateAsync(ManagedKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        key.Validate();
        var copy = Snapshot(key);
        lock (_writeGate)
        {
            if (!_keys.TryGetValue(key.Reference, out var current))
            {
                throw new ConcurrencyConflictException(key.Reference, key.ConcurrencyToken, null);
            }

            if (current.ConcurrencyToken != key.ConcurrencyToken)
            {
                throw new ConcurrencyConflictException(key.Reference, key.ConcurrencyToken, current.ConcurrencyToken);
            }

            var stored = copy with { ConcurrencyToken = NextToken() };
            _keys[key.Reference] = stored;
            Changed(key.Reference);
            return ValueTask.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(KeyReference key, long expectedConcurrencyToken, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            if (!_keys.TryGetValue(key, out var current))
            {
                throw new ManagedKeyNotFoundException(key);
            }

            if (current.ConcurrencyToken != expectedConcurrencyToken)
            {
                throw new ConcurrencyConflictException(key, expectedConcurrencyToken, current.ConcurrencyToken);
            }

            _keys.TryRemove(key, out _);
        }

        Changed(key);

        return ValueTask.CompletedTask;
    }

    /// <summary>Moves a version's <see cref="KeyVersion.LastUsedAt"/> forward without a new token or a change event (heartbeats).</summary>
    internal void MoveLastUsedForward(KeyReference key, string versionId, Instant usedAt)
    {
        lock (_writeGate)
        {
            if (!_keys.TryGetValue(key, out var current) || current.FindVersion(versionId) is not { } version || version.LastUsedAt >= usedAt)
            {
                return;
            }

            _keys[key] = current with { Versions = Array.AsReadOnly(current.Versions.Select(v => ReferenceEquals(v, version) ? v with { LastUsedAt = usedAt } : v).ToArray()) };
        }
    }

    // The caller's collections may be mutable (a Dictionary, a List) and still theirs: keep copies, so changing them
    // after a write cannot change what the store holds.
    private ManagedKey Snapshot(ManagedKey key) => key with
    {
        NextDueAt = ManagedKeyDue.Compute(key, _defaultExpiryWarningLead),
        Labels = Copy(key.Labels),
        Scope = Copy(key.Scope),
        Versions = Array.AsReadOnly(key.Versions.Select(v => v with { Metadata = Copy(v.Metadata) }).ToArray()),
    };

    private static FrozenDictionary<string, string> Copy(IReadOnlyDictionary<string, string> values)
        => values.Count == 0 ? FrozenDictionary<string, string>.Empty : values.ToFrozenDictionary(StringComparer.Ordinal);

    // Raised under the write lock for create/update so that listeners see changes in the order they were made.
    private void Changed(KeyReference key) => KeyChanged?.Invoke(this, new KeyChangedEventArgs(key));

    private long NextToken() => Interlocked.Increment(ref _lastToken);
}
