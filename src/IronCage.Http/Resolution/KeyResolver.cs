using System.Collections.Concurrent;
using System.Collections.Frozen;
using IronCage.Encryption;
using IronCage.Internal;
using IronCage.Providers;
using IronCage.Storage;
using IronCage.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Http;

/// <summary>
/// The <see cref="IKeyResolver"/>: one <see cref="KeyState"/> per managed key, a lock-free read of its cached snapshot
/// on every request, store reads single-flighted per key. Whether a key may be handed out also asks the
/// <see cref="IKeyHealth"/> (cool-downs, disables) and the <see cref="IUsageGate"/> (hard limits); a pool's order may
/// ask the health for headroom.
/// </summary>
internal sealed class KeyResolver : IKeyResolver, IDisposable
{
    private const long MustReload = long.MinValue;
    private const string Hit = "hit";
    private const string Load = "load";
    private const string Unusable = "unusable";

    private static readonly System.Diagnostics.Metrics.Counter<long> KeyResolutions = IronCageTelemetry.Meter.CreateCounter<long>(
        IronCageTelemetry.KeyResolveCount, unit: "{resolution}", description: "Keys handed out by the key resolver, by provider and outcome (hit, load, unusable).");

    private readonly ConcurrentDictionary<KeyReference, KeyState> _states = new();
    private readonly FrozenDictionary<string, KeyPool> _pools;
    private readonly IKeyStore _store;
    private readonly ISecretProtector _protector;
    private readonly IProviderCatalog _catalog;
    private readonly IClock _clock;
    private readonly IUsageGate? _gate;
    private readonly IKeyHealth _health;

    // The built-in health, when it is the one registered: read without an interface call on every hit.
    private readonly KeyHealth? _builtInHealth;
    private readonly KeyResolverOptions _options;
    private readonly ILogger _logger;
    private readonly List<IKeyChangeFeed> _feeds;
    private readonly ConcurrentQueue<(SecretValue Secret, long DisposeAtTick)> _retired = new();
    private int _disposed;

    public KeyResolver(
        IKeyStore store,
        ISecretProtector protector,
        IProviderCatalog catalog,
        IClock clock,
        IOptions<KeyResolverOptions> options,
        ILogger<KeyResolver> logger,
        IEnumerable<IKeyChangeFeed> feeds,
        IKeyHealth health,
        IUsageGate? gate = null)
    {
        _store = store;
        _protector = protector;
        _catalog = catalog;
        _clock = clock;
        _gate = gate;
        _health = health;
        _builtInHealth = health as KeyHealth;
        _options = options.Value;
        _logger = logger;
        _pools = _options.Pools.ToFrozenDictionary(p => p.Key, p => new KeyPool(p.Key, [.. p.Value.Keys.Select(StateOf)], p.Value.Strategy, health), StringComparer.Ordinal);

        _feeds = [.. feeds];
        if (store is IKeyChangeFeed storeFeed && !_feeds.Contains(storeFeed))
        {
            _feeds.Add(storeFeed);
        }

        foreach (var feed in _feeds)
        {
            feed.KeyChanged += OnKeyChanged;
            feed.ChangesMissed += OnChangesMissed;
        }
    }

    /// <inheritdoc />
    public event EventHandler<KeyChangedEventArgs>? KeyChanged;

    /// <inheritdoc />
    public ValueTask<ResolvedKey> ResolveAsync(KeyReference key, CancellationToken cancellationToken = default)
    {
        // The hit path: one dictionary read and a few field reads, no clock, no allocation.
        if (_states.TryGetValue(key, out var state)
            && state.Snapshot is { Key: { } resolved, NeedsChecks: false } snapshot
            && Environment.TickCount64 < snapshot.RefreshAtTick
            && !AnyRestrictions)
        {
            if (KeyResolutions.Enabled)
            {
                Count(resolved.Provider.Id, Hit);
            }

            return new ValueTask<ResolvedKey>(resolved);
        }

        return ResolveSlowAsync(key, cancellationToken);
    }

    private bool AnyRestrictions => _builtInHealth?.HasRestrictions ?? _health.HasRestrictions;

    /// <inheritdoc />
    public ValueTask<ResolvedKey> ResolvePoolAsync(string pool, IReadOnlyCollection<KeyReference>? exclude = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (!_pools.TryGetValue(pool, out var found))
        {
            throw new ArgumentException($"No key pool named '{pool}' is registered. Add it with AddKeyPool(\"{pool}\", …) or check the name.", nameof(pool));
        }

        Span<int> order = stackalloc int[found.States.Length];
        found.Order(order);
        foreach (var index in order)
        {
            var state = found.States[index];
            if (exclude is not null && exclude.Contains(state.Key))
            {
                continue;
            }

            if (state.Snapshot is not { } snapshot || Environment.TickCount64 >= snapshot.RefreshAtTick)
            {
                return ResolvePoolSlowAsync(found, order.ToArray(), exclude, cancellationToken);
            }

            if (Check(snapshot, out _) is { } usable)
            {
                state.CountUse();
                return new ValueTask<ResolvedKey>(usable);
            }
        }

        return ResolvePoolSlowAsync(found, order.ToArray(), exclude, cancellationToken);
    }

    /// <inheritdoc />
    public void Invalidate(KeyReference key)
    {
        if (_states.TryGetValue(key, out var state) && state.Snapshot is { } snapshot)
        {
            state.Snapshot = snapshot.Key is { } resolved
                ? new KeySnapshot(resolved, snapshot.HasHardLimits, MustReload)
                : new KeySnapshot(snapshot.Unusable!, MustReload);
        }

        Log.KeyInvalidated(_logger, key);
        KeyChanged?.Invoke(this, new KeyChangedEventArgs(key));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var feed in _feeds)
        {
            feed.KeyChanged -= OnKeyChanged;
            feed.ChangesMissed -= OnChangesMissed;
        }

        foreach (var state in _states.Values)
        {
            state.Snapshot?.Key?.Secret.Dispose();
        }

        while (_retired.TryDequeue(out var retired))
        {
            retired.Secret.Dispose();
        }
    }

    private async ValueTask<ResolvedKey> ResolveSlowAsync(KeyReference key, CancellationToken cancellationToken)
    {
        var state = StateOf(key);
        var snapshot = await SnapshotOfAsync(state, cancellationToken).ConfigureAwait(false);
        if (Check(snapshot, out var skip) is { } usable)
        {
            Count(key.Provider, Load);
            return usable;
        }

        Count(key.Provider, Unusable);
        throw new NoUsableKeyException(key.ToString(), [skip!]);
    }

    // The order is the one the fast path computed, so a round-robin pool advances once per resolve.
    private async ValueTask<ResolvedKey> ResolvePoolSlowAsync(KeyPool pool, int[] order, IReadOnlyCollection<KeyReference>? exclude, CancellationToken cancellationToken)
    {
        var skips = new List<KeySkip>();
        foreach (var index in order)
        {
            var state = pool.States[index];
            if (exclude is not null && exclude.Contains(state.Key))
            {
                continue;
            }

            KeySnapshot snapshot;
            try
            {
                snapshot = await SnapshotOfAsync(state, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // One unreadable key must not take the pool down: the others may be cached or readable.
                skips.Add(new KeySkip(state.Key, KeySkipReason.NotFound, $"it could not be read from the key store ({exception.GetType().Name})"));
                continue;
            }

            if (Check(snapshot, out var skip) is { } usable)
            {
                state.CountUse();
                return usable;
            }

            skips.Add(skip!);
        }

        throw new NoUsableKeyException(pool.Name, skips);
    }

    private ResolvedKey? Check(KeySnapshot snapshot, out KeySkip? skip)
    {
        skip = null;
        if (snapshot.Unusable is { } unusable)
        {
            skip = unusable;
            return null;
        }

        var key = snapshot.Key!;
        var restricted = AnyRestrictions;
        if (!snapshot.NeedsChecks && !restricted)
        {
            return key;
        }

        var now = _clock.GetCurrentInstant();
        if (key.ExpiresAt is { } expires && expires <= now)
        {
            skip = new KeySkip(key.Key, KeySkipReason.Expired, $"version {key.VersionId} ({key.DisplayHint}) expired at {expires}; rotate the key");
            return null;
        }

        if (restricted && _health.GetRestriction(key.Key, key.VersionId, now) is { } restriction)
        {
            skip = restriction.ToSkip(key.Key);
            return null;
        }

        if (snapshot.HasHardLimits && _gate is not null && _gate.IsBlocked(key.Key, now, out var blocked))
        {
            skip = blocked;
            return null;
        }

        return key;
    }

    private async ValueTask<KeySnapshot> SnapshotOfAsync(KeyState state, CancellationToken cancellationToken)
    {
        var snapshot = state.Snapshot;
        if (snapshot is null)
        {
            return await state.LoadOnce(LoadAsync).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (snapshot.RefreshAtTick == MustReload)
        {
            try
            {
                return await state.LoadOnce(LoadAsync).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not (OperationCanceledException or KeyStateTamperedException))
            {
                // The store is down: the key we had is better than none (the change that invalidated it was written
                // to the same store moments ago, so it is most likely a rotation, not a kill).
                Log.StoreUnavailableServingCached(_logger, state.Key, exception);
                return snapshot;
            }
        }

        if (Environment.TickCount64 >= snapshot.RefreshAtTick)
        {
            // Stale while revalidate: serve what we have, refresh in the background.
            _ = state.LoadOnce(LoadAsync).ContinueWith(
                static (task, context) =>
                {
                    var (failed, logger) = ((KeyState, ILogger))context!;
                    var failure = task.Exception!.GetBaseException();
                    if (failure is KeyStateTamperedException && failed.Snapshot is { } cached)
                    {
                        // The store refused the key: the next resolve reads it again (and fails) instead of serving the cache.
                        failed.Snapshot = cached.Key is { } key ? new KeySnapshot(key, cached.HasHardLimits, MustReload) : new KeySnapshot(cached.Unusable!, MustReload);
                    }

                    Log.StoreUnavailableServingCached(logger, default, failure);
                },
                (state, _logger),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return snapshot;
    }

    private async Task<KeySnapshot> LoadAsync(KeyState state)
    {
        var previous = state.Snapshot;
        KeySnapshot loaded;
        try
        {
            loaded = await ReadAsync(state.Key, previous?.Key).ConfigureAwait(false);
        }
        // A store that refuses a tampered key is not unavailable: serving the cached key would undo a kill.
        catch (Exception exception) when (previous is not null && exception is not (SecretDecryptionException or KeyStateTamperedException))
        {
            Log.StoreUnavailableServingCached(_logger, state.Key, exception);

            // Try again soon rather than after a whole refresh interval.
            var retryAt = Environment.TickCount64 + (long)Math.Min(_options.RefreshInterval.TotalMilliseconds, 5_000);
            loaded = previous.Key is { } key ? new KeySnapshot(key, previous.HasHardLimits, retryAt) : new KeySnapshot(previous.Unusable!, retryAt);
        }

        state.Snapshot = loaded;
        if (previous?.Key is { } old && !ReferenceEquals(old, loaded.Key))
        {
            _retired.Enqueue((old.Secret, Environment.TickCount64 + (long)_options.RetiredSecretLifetime.TotalMilliseconds));
        }

        DisposeRetiredSecrets();
        return loaded;
    }

    private async Task<KeySnapshot> ReadAsync(KeyReference key, ResolvedKey? previous)
    {
        var refreshAt = Environment.TickCount64 + (long)_options.RefreshInterval.TotalMilliseconds;
        var managed = await _store.FindAsync(key).ConfigureAwait(false);
        if (managed is null)
        {
            return new KeySnapshot(new KeySkip(key, KeySkipReason.NotFound, "no such managed key in the store; register it first"), refreshAt);
        }

        if (managed.CurrentVersion is not { } current)
        {
            return new KeySnapshot(new KeySkip(key, KeySkipReason.NoCurrentVersion, "it has no current version (supply a key or finish the rotation)"), refreshAt);
        }

        if (current.KilledAt is { } killedAt)
        {
            return new KeySnapshot(new KeySkip(key, KeySkipReason.Killed, $"version {current.VersionId} ({current.DisplayHint}) was killed at {killedAt}; rotate or supply a new key"), refreshAt);
        }

        if (!_catalog.TryGetDescriptor(key.Provider, out var descriptor))
        {
            throw new UnknownProviderException(key.Provider);
        }

        var hasHardLimits = _gate is not null && managed.Limits.Limits.Any(l => l.Enforcement == LimitEnforcement.Hard && l.Metric != UsageMetric.Cost);

        // The same version as before: keep the decrypted key instead of opening the ciphertext again.
        if (previous is not null && string.Equals(previous.VersionId, current.VersionId, StringComparison.Ordinal) && !previous.Secret.IsDisposed)
        {
            return new KeySnapshot(previous, hasHardLimits, refreshAt);
        }

        var secret = await _protector.OpenAsync(current.Secret, new SecretBinding(key, current.VersionId)).ConfigureAwait(false);
        Log.KeyLoaded(_logger, key, current.VersionId, current.DisplayHint);
        return new KeySnapshot(new ResolvedKey(key, current.VersionId, current.DisplayHint, descriptor, secret, current.ExpiresAt), hasHardLimits, refreshAt);
    }

    private void DisposeRetiredSecrets()
    {
        var now = Environment.TickCount64;
        while (_retired.TryPeek(out var retired) && retired.DisposeAtTick <= now && _retired.TryDequeue(out retired))
        {
            retired.Secret.Dispose();
        }
    }

    private KeyState StateOf(KeyReference key) => _states.GetOrAdd(key, static reference => new KeyState(reference));

    private static void Count(ProviderId provider, string outcome)
        => KeyResolutions.Add(1, new KeyValuePair<string, object?>(IronCageTelemetry.ProviderTag, provider.Value), new KeyValuePair<string, object?>(IronCageTelemetry.OutcomeTag, outcome));

    private void OnKeyChanged(object? sender, KeyChangedEventArgs e) => Invalidate(e.Key);

    private void OnChangesMissed(object? sender, EventArgs e)
    {
        foreach (var key in _states.Keys)
        {
            Invalidate(key);
        }
    }
}
