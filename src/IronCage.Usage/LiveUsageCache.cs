using System.Collections.Concurrent;
using System.Threading.Channels;
using IronCage.Storage;
using Microsoft.Extensions.Logging;

namespace IronCage.Usage;

/// <summary>
/// The one live-usage cache of an instance: one <see cref="LiveKey"/> per managed key (its limits, its open and folded
/// minute slots, other instances' usage), shared by the recorder, the gate, the budget guard, the queries and the
/// alerts. Limits are read from the key store on first use and again whenever the key change feed announces the key;
/// usage change feeds announce other instances' flushes, which the flush service then reads in.
/// </summary>
internal sealed class LiveUsageCache : IDisposable
{
    private readonly ConcurrentDictionary<KeyReference, LiveKey> _live = new();
    private readonly IKeyStore _keys;
    private readonly ILogger _logger;
    private readonly List<IKeyChangeFeed> _keyFeeds;
    private readonly List<IUsageChangeFeed> _usageFeeds;
    private readonly Channel<bool> _usageChanged = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private int _disposed;

    public LiveUsageCache(IKeyStore keys, IEnumerable<IKeyChangeFeed> keyFeeds, IEnumerable<IUsageChangeFeed> usageFeeds, IUsageStore store, ILogger<LiveUsageCache> logger)
    {
        _keys = keys;
        _logger = logger;

        // A store that announces its own writes is a feed even when it is not registered as one (as the resolver does).
        _keyFeeds = [.. keyFeeds];
        if (keys is IKeyChangeFeed keyStoreFeed && !_keyFeeds.Contains(keyStoreFeed))
        {
            _keyFeeds.Add(keyStoreFeed);
        }

        _usageFeeds = [.. usageFeeds];
        if (store is IUsageChangeFeed usageStoreFeed && !_usageFeeds.Contains(usageStoreFeed))
        {
            _usageFeeds.Add(usageStoreFeed);
        }

        foreach (var feed in _keyFeeds)
        {
            feed.KeyChanged += OnKeyChanged;
            feed.ChangesMissed += OnKeyChangesMissed;
        }

        foreach (var feed in _usageFeeds)
        {
            feed.UsageChanged += OnUsageChanged;
        }
    }

    /// <summary>Gets the keys with live state: used, gated, or known to the usage store.</summary>
    public ICollection<LiveKey> Keys => _live.Values;

    /// <summary>Gets a value indicating whether a usage change feed is attached (other instances' flushes are announced).</summary>
    public bool HasUsageFeed => _usageFeeds.Count > 0;

    public bool TryGet(KeyReference key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LiveKey? live) => _live.TryGetValue(key, out live);

    public LiveKey Get(KeyReference key)
        => _live.TryGetValue(key, out var live) ? live : _live.GetOrAdd(key, static k => new LiveKey(k));

    /// <summary>Gets a key's limits without a store round trip, when already loaded.</summary>
    public LimitState? TryGetLimits(KeyReference key) => _live.TryGetValue(key, out var live) ? live.Limits : null;

    /// <summary>Gets a key's limits, reading them from the key store the first time.</summary>
    public async ValueTask<LimitState> GetLimitsAsync(KeyReference key, CancellationToken cancellationToken)
    {
        var live = Get(key);
        if (live.Limits is { } limits)
        {
            return limits;
        }

        var generation = live.LimitsGeneration;
        var managed = await _keys.FindAsync(key, cancellationToken).ConfigureAwait(false);
        limits = LimitState.From(managed?.Limits);
        live.SetLimits(limits, generation);
        return live.Limits ?? limits;
    }

    /// <summary>Starts reading a key's limits in the background, unless a read is under way; the gate's path.</summary>
    public void StartLoadingLimits(LiveKey live)
    {
        if (live.TryStartLoadingLimits())
        {
            _ = LoadLimitsAsync(live, live.LimitsGeneration);
        }
    }

    /// <summary>Re-reads every key's limits with one listing (start-up and the safety-net refresh).</summary>
    public async Task ReloadAllLimitsAsync(CancellationToken cancellationToken)
    {
        var generations = _live.Values.ToDictionary(l => l.Key, l => l.LimitsGeneration);
        var seen = new HashSet<KeyReference>();
        await foreach (var managed in _keys.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            seen.Add(managed.Reference);
            var live = Get(managed.Reference);
            live.SetLimits(LimitState.From(managed.Limits), generations.TryGetValue(managed.Reference, out var generation) ? generation : live.LimitsGeneration);
        }

        foreach (var live in _live.Values)
        {
            if (!seen.Contains(live.Key) && generations.TryGetValue(live.Key, out var generation))
            {
                live.SetLimits(LimitState.None, generation);
            }
        }
    }

    /// <summary>
    /// Waits until a usage change feed announced another instance's usage (changes coalesce into one signal); the
    /// signal stays pending until <see cref="TakeUsageChange"/> takes it.
    /// </summary>
    /// <returns><see langword="false"/> once the cache is disposed.</returns>
    public ValueTask<bool> WaitForUsageChangeAsync(CancellationToken cancellationToken) => _usageChanged.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Takes the pending usage-change signal, if any, without waiting.</summary>
    public bool TakeUsageChange() => _usageChanged.Reader.TryRead(out _);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var feed in _keyFeeds)
        {
            feed.KeyChanged -= OnKeyChanged;
            feed.ChangesMissed -= OnKeyChangesMissed;
        }

        foreach (var feed in _usageFeeds)
        {
            feed.UsageChanged -= OnUsageChanged;
        }

        _usageChanged.Writer.TryComplete();
    }

    private async Task LoadLimitsAsync(LiveKey live, long generation)
    {
        try
        {
            var managed = await _keys.FindAsync(live.Key).ConfigureAwait(false);
            live.SetLimits(LimitState.From(managed?.Limits), generation);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            live.LimitsLoadFailed();
            Log.UsageLimitsLoadFailed(_logger, live.Key, ex.GetType().Name);
        }
    }

    private void OnKeyChanged(object? sender, KeyChangedEventArgs e)
    {
        // A key nobody used yet loads its limits on first use; a live one keeps its old limits until the new ones are read.
        if (_live.TryGetValue(e.Key, out var live))
        {
            _ = LoadLimitsAsync(live, live.InvalidateLimits());
        }
    }

    private void OnKeyChangesMissed(object? sender, EventArgs e)
    {
        foreach (var live in _live.Values)
        {
            _ = LoadLimitsAsync(live, live.InvalidateLimits());
        }

        // The same outage may have hidden usage notifications too.
        _usageChanged.Writer.TryWrite(true);
    }

    private void OnUsageChanged(object? sender, UsageChangedEventArgs e) => _usageChanged.Writer.TryWrite(true);
}
