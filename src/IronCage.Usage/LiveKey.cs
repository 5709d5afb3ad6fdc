using NodaTime;

namespace IronCage.Usage;

/// <summary>
/// The live view of one managed key: its open minute slots (still counting), the folded sums of retired slots per
/// window, other instances' usage per window from the last refresh, and its limits.
/// </summary>
internal sealed class LiveKey
{
    private const int WindowCount = 4;
    private MinuteSlot[] _slots = [];
    private LimitState? _limits;
    private int _limitsLoading;
    private long _limitsGeneration;

    public LiveKey(KeyReference key) => Key = key;

    public KeyReference Key { get; }

    public object Sync { get; } = new();

    public MinuteSlot[] Slots => Volatile.Read(ref _slots);

    public LimitState? Limits
    {
        get => Volatile.Read(ref _limits);
        set => Volatile.Write(ref _limits, value);
    }

    /// <summary>Gets the sums of retired local slots per window (replaced whole under <see cref="Sync"/>).</summary>
    public WindowTotals?[] Folded { get; } = new WindowTotals?[WindowCount];

    /// <summary>Gets other instances' usage per window as of the last refresh (store sums minus this instance's flushed usage).</summary>
    public WindowTotals?[] Remote { get; } = new WindowTotals?[WindowCount];

    /// <summary>Gets this instance's usage per window that the store holds (flusher-only).</summary>
    public WindowTotals?[] Flushed { get; } = new WindowTotals?[WindowCount];

    /// <summary>
    /// Gets the stored totals of each window from its start up to the horizon of the last full refresh (every
    /// instance's, this one's included); the fast refresh adds the recent minutes to them.
    /// </summary>
    public WindowTotals?[] Older { get; } = new WindowTotals?[WindowCount];

    /// <summary>Gets how often the key's limits were invalidated: a read started before an invalidation must not win.</summary>
    public long LimitsGeneration => Interlocked.Read(ref _limitsGeneration);

    public bool TryStartLoadingLimits() => Interlocked.CompareExchange(ref _limitsLoading, 1, 0) == 0;

    /// <summary>Marks the limits stale (the key changed); the old ones stay in use until the read they start returns.</summary>
    /// <returns>The generation a new read must carry.</returns>
    public long InvalidateLimits() => Interlocked.Increment(ref _limitsGeneration);

    /// <summary>Sets limits read at <paramref name="generation"/>, unless the key changed again since.</summary>
    public void SetLimits(LimitState limits, long generation)
    {
        lock (Sync)
        {
            if (Interlocked.Read(ref _limitsGeneration) == generation)
            {
                Limits = limits;
            }
        }
    }

    public void LimitsLoadFailed() => Volatile.Write(ref _limitsLoading, 0);

    public void AddSlot(MinuteSlot slot)
    {
        lock (Sync)
        {
            if (!slot.IsClosed)
            {
                Volatile.Write(ref _slots, [.. _slots, slot]);
            }
        }
    }

    /// <summary>Folds a closed slot's final totals into the window sums, then drops it from the open slots.</summary>
    public void Retire(MinuteSlot slot, in UsageTotals totals)
    {
        lock (Sync)
        {
            // Fold first, remove second: a concurrent reader may count the slot twice for an instant, never zero times.
            foreach (var window in UsageWindows.All)
            {
                Accumulate(Folded, window, window.StartOf(slot.Minute), totals);
            }

            Volatile.Write(ref _slots, [.. _slots.Where(s => !ReferenceEquals(s, slot))]);
        }
    }

    /// <summary>Sums the live usage of a window: open slots, folded slots and other instances.</summary>
    public UsageTotals Usage(UsageWindow window, Instant start, Instant end)
    {
        var totals = default(UsageTotals);
        foreach (var slot in Slots)
        {
            if (slot.Minute >= start && slot.Minute < end)
            {
                var slotTotals = slot.Read();
                totals.Add(slotTotals);
            }
        }

        if (Volatile.Read(ref Folded[(int)window]) is { } folded && folded.Start == start)
        {
            totals.Add(folded.Totals);
        }

        if (Volatile.Read(ref Remote[(int)window]) is { } remote && remote.Start == start)
        {
            totals.Add(remote.Totals);
        }

        return totals;
    }

    /// <summary>Sums one metric of a window's live usage; the gate's path, pricing tokens only for a cost metric.</summary>
    public decimal ValueOf(UsageWindow window, Instant start, Instant end, UsageMetric metric)
    {
        if (metric == UsageMetric.Cost)
        {
            return CostOf(window, start, end);
        }

        long value = 0;
        foreach (var slot in Slots)
        {
            if (slot.Minute >= start && slot.Minute < end)
            {
                value += slot.CountOf(metric);
            }
        }

        if (Volatile.Read(ref Folded[(int)window]) is { } folded && folded.Start == start)
        {
            value += folded.Totals.CountOf(metric);
        }

        if (Volatile.Read(ref Remote[(int)window]) is { } remote && remote.Start == start)
        {
            value += remote.Totals.CountOf(metric);
        }

        return value;
    }

    private decimal CostOf(UsageWindow window, Instant start, Instant end)
    {
        var cost = 0m;
        foreach (var slot in Slots)
        {
            if (slot.Minute >= start && slot.Minute < end)
            {
                cost += slot.Cost();
            }
        }

        if (Volatile.Read(ref Folded[(int)window]) is { } folded && folded.Start == start)
        {
            cost += folded.Totals.Cost;
        }

        if (Volatile.Read(ref Remote[(int)window]) is { } remote && remote.Start == start)
        {
            cost += remote.Totals.Cost;
        }

        return cost;
    }

    /// <summary>Adds to a window's sums: a later window replaces the sums, an earlier one is too old to matter.</summary>
    public static void Accumulate(WindowTotals?[] sums, UsageWindow window, Instant start, in UsageTotals totals)
    {
        var current = sums[(int)window];
        if (current is null || current.Start < start)
        {
            Volatile.Write(ref sums[(int)window], new WindowTotals(start, totals));
        }
        else if (current.Start == start)
        {
            var sum = current.Totals;
            sum.Add(totals);
            Volatile.Write(ref sums[(int)window], new WindowTotals(start, sum));
        }
    }
}
