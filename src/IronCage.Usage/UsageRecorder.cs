using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Usage;

/// <summary>
/// Records usage lock-free into striped, pre-aggregated minute slots (one per key, version, model and minute), flushes
/// them to the <see cref="IUsageStore"/> in batches into the <see cref="LiveUsageCache"/> that the gate, the budget guard and
/// the queries read, and refreshes other instances' usage from the store: the recent minutes whenever a usage change feed
/// announces a flush, everything every refresh interval.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Record"/> touches one stripe (chosen by the current processor) and one slot: a dictionary lookup and a few
/// Interlocked adds, no lock and no allocation once the slot exists (a new slot per key, version, model and minute).
/// </para>
/// <para>
/// Flushing moves each slot's growth since the last flush into a pending batch merged by <see cref="SlotKey"/>, then
/// appends the batch. If the store fails, the batch stays pending and is merged with the next one; past
/// <see cref="UsageTrackingOptions.MaxPendingRecords"/> the oldest minutes are dropped, counted and logged.
/// </para>
/// </remarks>
internal sealed class UsageRecorder : IUsageRecorder, IUsageGate, IAsyncDisposable, IDisposable
{
    private static readonly Duration SlotRetention = Duration.FromMinutes(2);

    private readonly Stripe[] _stripes;
    private readonly int _stripeMask;
    private readonly LiveUsageCache _cache;
    private readonly Func<SlotKey, MinuteSlot> _createSlot;
    private readonly IUsageStore _store;
    private readonly UsagePricing _pricing;
    private readonly IClock _clock;
    private readonly UsageTrackingOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _flushLock = new(1, 1);
    private readonly Dictionary<SlotKey, UsageRecord> _pending = [];
    private Instant? _horizon;
    private long _droppedRecords;
    private long _droppedRequests;
    private int _disposed;

    public UsageRecorder(IUsageStore store, LiveUsageCache cache, UsagePricing pricing, IClock clock, IOptions<UsageTrackingOptions> options, ILogger<UsageRecorder> logger)
    {
        _store = store;
        _cache = cache;
        _pricing = pricing;
        _clock = clock;
        _options = options.Value;
        _logger = logger;
        var stripes = (int)Math.Min(64, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));
        _stripeMask = stripes - 1;
        _stripes = new Stripe[stripes];
        for (var i = 0; i < stripes; i++)
        {
            _stripes[i] = new Stripe();
        }

        _createSlot = CreateSlot;
    }

    /// <summary>Gets how many pre-aggregated records were dropped because the store stayed unreachable too long.</summary>
    public long DroppedRecords => Interlocked.Read(ref _droppedRecords);

    /// <summary>Gets how many calls those dropped records summed.</summary>
    public long DroppedRequests => Interlocked.Read(ref _droppedRequests);

    /// <summary>Gets how many pre-aggregated records wait for the store.</summary>
    public int PendingRecords
    {
        get
        {
            _flushLock.Wait();
            try
            {
                return _pending.Count;
            }
            finally
            {
                _flushLock.Release();
            }
        }
    }

    internal UsagePricing Pricing => _pricing;

    internal IClock Clock => _clock;

    internal LiveUsageCache Cache => _cache;

    /// <inheritdoc />
    public void Record(in UsageSample sample)
    {
        if (sample.Key.Provider.IsEmpty)
        {
            return;
        }

        if (!UsageRecord.IsStorable(sample.Model) || !UsageRecord.IsStorable(sample.VersionId))
        {
            // A provider answer naming a model no store accepts (a NUL, a megabyte) must not poison the batch it
            // would be flushed in: the call is counted without its model.
            Record(sample with { Model = UsageRecord.IsStorable(sample.Model) ? sample.Model : null, VersionId = UsageRecord.IsStorable(sample.VersionId) ? sample.VersionId : null });
            return;
        }

        var ticks = sample.Timestamp.ToUnixTimeTicks();
        var minute = ticks - (((ticks % NodaConstants.TicksPerMinute) + NodaConstants.TicksPerMinute) % NodaConstants.TicksPerMinute);
        var stripe = _stripes[Thread.GetCurrentProcessorId() & _stripeMask];
        var input = Math.Max(0, sample.InputTokens);
        var output = Math.Max(0, sample.OutputTokens);

        // Most calls repeat the stripe's previous key, version, model and minute: compare references before hashing.
        if (stripe.Last is { } last && last.Matches(sample, minute) && last.TryAdd(input, output, sample.IsError))
        {
            return;
        }

        var key = new SlotKey(sample.Key, sample.VersionId, sample.Model, minute);
        while (true)
        {
            if (!stripe.Slots.TryGetValue(key, out var slot))
            {
                slot = AddSlot(stripe.Slots, key);
            }

            if (slot.TryAdd(input, output, sample.IsError))
            {
                stripe.Last = slot;
                return;
            }

            // The flusher retired the slot between the lookup and the add: record into a fresh one.
            stripe.Slots.TryRemove(new KeyValuePair<SlotKey, MinuteSlot>(key, slot));
        }
    }

    /// <inheritdoc />
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _flushLock.Release();
        }
    }

    /// <summary>
    /// Flushes, then re-reads every key's limits from the key store (one listing: the safety net under the key change
    /// feed) and other instances' usage of the current windows from the usage store's aggregates.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _flushLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushCoreAsync(cancellationToken).ConfigureAwait(false);
            await RefreshLimitsAsync(cancellationToken).ConfigureAwait(false);
            await RefreshRemoteAsync(recentOnly: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _flushLock.Release();
        }
    }

    /// <summary>
    /// Flushes, then reads other instances' usage of the minutes since the last full refresh: what a usage change feed's
    /// announcement triggers, one small query however long the windows are.
    /// </summary>
    public async Task RefreshRecentAsync(CancellationToken cancellationToken = default)
    {
        await _flushLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushCoreAsync(cancellationToken).ConfigureAwait(false);
            await RefreshRemoteAsync(recentOnly: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _flushLock.Release();
        }
    }

    /// <inheritdoc />
    public bool IsBlocked(KeyReference key, Instant now, [NotNullWhen(true)] out KeySkip? skip)
    {
        skip = null;
        if (!_cache.TryGet(key, out var live))
        {
            live = _cache.Get(key);
        }

        if (live.Limits is not { } limits)
        {
            _cache.StartLoadingLimits(live);
            return false;
        }

        foreach (var limit in limits.Hard)
        {
            var (start, end) = UsageWindows.Bounds(limit.Window, now);
            var used = live.ValueOf(limit.Window, start, end, limit.Metric);
            if (used >= limit.Limit)
            {
                skip = new KeySkip(key, KeySkipReason.LimitReached, $"Hard limit of {limit} reached ({used} used); the window resets at {end}.", end);
                return true;
            }
        }

        return false;
    }

    /// <summary>Gets the live usage of a key in the window that contains <paramref name="now"/>.</summary>
    internal UsageTotals GetUsage(KeyReference key, UsageWindow window, Instant now)
    {
        if (!_cache.TryGet(key, out var live))
        {
            return default;
        }

        var (start, end) = UsageWindows.Bounds(window, now);
        return live.Usage(window, start, end);
    }

    /// <summary>Gets a key's limits without a store round trip, when already loaded.</summary>
    internal LimitState? TryGetLimits(KeyReference key) => _cache.TryGetLimits(key);

    /// <summary>Gets a key's limits, reading them from the key store the first time.</summary>
    internal ValueTask<LimitState> GetLimitsAsync(KeyReference key, CancellationToken cancellationToken) => _cache.GetLimitsAsync(key, cancellationToken);

    /// <summary>Gets the keys with live state: used, gated, or known to the key store.</summary>
    internal IEnumerable<LiveKey> LiveKeys => _cache.Keys;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.UsageFinalFlushFailed(_logger, ex.GetType().Name);
        }
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private MinuteSlot AddSlot(ConcurrentDictionary<SlotKey, MinuteSlot> stripe, SlotKey key)
    {
        var created = _createSlot(key);
        var slot = stripe.GetOrAdd(key, created);
        if (ReferenceEquals(slot, created))
        {
            _cache.Get(key.Key).AddSlot(slot);
        }

        return slot;
    }

    private MinuteSlot CreateSlot(SlotKey key)
        => new(key, _pricing.Resolve(key.Key.Provider, key.Model, Instant.FromUnixTimeTicks(key.MinuteTicks)));

    private async Task FlushCoreAsync(CancellationToken cancellationToken)
    {
        var now = _clock.GetCurrentInstant();
        var retireBefore = UsageWindows.Bounds(UsageWindow.Minute, now).Start - SlotRetention;
        foreach (var stripe in _stripes)
        {
            foreach (var (key, slot) in stripe.Slots)
            {
                if (slot.Minute < retireBefore)
                {
                    stripe.Slots.TryRemove(new KeyValuePair<SlotKey, MinuteSlot>(key, slot));
                    slot.Close();
                    var final = slot.Read();
                    MovePending(slot, final);
                    _cache.Get(key.Key).Retire(slot, final);
                }
                else
                {
                    MovePending(slot, slot.Read());
                }
            }
        }

        if (_pending.Count == 0)
        {
            return;
        }

        UsageRecord[] batch = [.. _pending.Values];
        try
        {
            await _store.AppendAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.UsageStoreUnavailable(_logger, batch.Length, ex.GetType().Name);
            DropOverflow();
            return;
        }

        _pending.Clear();
        foreach (var record in batch)
        {
            var live = _cache.Get(record.Key);
            var totals = UsageTotals.From(record);
            foreach (var window in UsageWindows.All)
            {
                LiveKey.Accumulate(live.Flushed, window, window.StartOf(record.Minute), totals);
            }
        }

        Log.UsageFlushed(_logger, batch.Length);
    }

    private void MovePending(MinuteSlot slot, in UsageTotals totals)
    {
        var requests = totals.Requests - slot.FlushedRequests;
        var errors = totals.Errors - slot.FlushedErrors;
        var input = totals.InputTokens - slot.FlushedInput;
        var output = totals.OutputTokens - slot.FlushedOutput;
        if (requests == 0 && errors == 0 && input == 0 && output == 0)
        {
            return;
        }

        slot.FlushedRequests = totals.Requests;
        slot.FlushedErrors = totals.Errors;
        slot.FlushedInput = totals.InputTokens;
        slot.FlushedOutput = totals.OutputTokens;
        var cost = slot.Price.CostOf(input, output);
        UsageTelemetry.Emit(slot.Key.Key.Provider, requests, input, output, slot.Price.Status == UsageCostStatus.Unpriced ? null : cost);

        var key = slot.Key;
        _pending[key] = _pending.TryGetValue(key, out var pending)
            ? pending with
            {
                Requests = pending.Requests + requests,
                Errors = pending.Errors + errors,
                InputTokens = pending.InputTokens + input,
                OutputTokens = pending.OutputTokens + output,
                Cost = pending.Cost + cost,
            }
            : new UsageRecord
            {
                Key = key.Key,
                Minute = slot.Minute,
                VersionId = key.VersionId,
                Model = key.Model,
                Requests = requests,
                Errors = errors,
                InputTokens = input,
                OutputTokens = output,
                Cost = cost,
                CostStatus = slot.Price.Status,
            };
    }

    private void DropOverflow()
    {
        var excess = _pending.Count - _options.MaxPendingRecords;
        if (excess <= 0)
        {
            return;
        }

        long requests = 0;
        foreach (var record in _pending.Values.OrderBy(r => r.Minute).Take(excess).ToList())
        {
            requests += record.Requests;
            _pending.Remove(new SlotKey(record.Key, record.VersionId, record.Model, record.Minute.ToUnixTimeTicks()));
        }

        Interlocked.Add(ref _droppedRecords, excess);
        Interlocked.Add(ref _droppedRequests, requests);
        Log.UsageRecordsDropped(_logger, excess, requests, _options.MaxPendingRecords, DroppedRecords);
    }

    private async Task RefreshLimitsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _cache.ReloadAllLimitsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.UsageRefreshFailed(_logger, "key store", ex.GetType().Name);
        }
    }

    private async Task RefreshRemoteAsync(bool recentOnly, CancellationToken cancellationToken)
    {
        var now = _clock.GetCurrentInstant();
        try
        {
            // The recent minutes grow with the time since the horizon: past an hour, a full refresh is the cheaper read.
            if (recentOnly && _horizon is { } horizon && now - horizon < Duration.FromHours(1))
            {
                await RemoteUsageRefresh.RecentAsync(_store, _cache, now, horizon, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                _horizon = await RemoteUsageRefresh.FullAsync(_store, _cache, now, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.UsageRefreshFailed(_logger, "usage store", ex.GetType().Name);
        }
    }

    /// <summary>One processor's slots, and the slot it wrote last.</summary>
    private sealed class Stripe
    {
        private MinuteSlot? _last;

        public ConcurrentDictionary<SlotKey, MinuteSlot> Slots { get; } = new(concurrencyLevel: 1, capacity: 31);

        public MinuteSlot? Last
        {
            get => Volatile.Read(ref _last);
            set => Volatile.Write(ref _last, value);
        }
    }
}
