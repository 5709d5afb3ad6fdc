using NodaTime;

namespace IronCage.Usage;

/// <summary>A managed key's limits, split for the hot paths: hard limits for the gate, hard cost limits for the budget guard.</summary>
internal sealed class LimitState
{
    private LimitState(UsageLimits limits)
    {
        Limits = limits;
        Hard = [.. limits.Limits.Where(l => l.Enforcement == LimitEnforcement.Hard)];
        HardCost = [.. Hard.Where(l => l.Metric == UsageMetric.Cost)];
    }

    public static LimitState None { get; } = new(UsageLimits.None);

    public UsageLimits Limits { get; }

    public UsageLimit[] Hard { get; }

    public UsageLimit[] HardCost { get; }

    public static LimitState From(UsageLimits? limits) => limits is null || limits.Limits.Count == 0 ? None : new LimitState(limits);
}

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

    public bool TryStartLoadingLimits() => Interlocked.CompareExchange(ref _limitsLoading, 1, 0) == 0;

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

/// <summary>Window helpers for the hot paths.</summary>
internal static class UsageWindows
{
    public static readonly UsageWindow[] All = [UsageWindow.Minute, UsageWindow.Hour, UsageWindow.Day, UsageWindow.Month];

    // The calendar month last asked for: months need the calendar, and nearly every question is about the current one.
    private static volatile MonthBounds? _month;

    /// <summary>Gets a window's bounds; minutes, hours and days by tick arithmetic (UTC has no leap seconds in NodaTime), months by the calendar.</summary>
    public static (Instant Start, Instant End) Bounds(UsageWindow window, Instant instant)
    {
        var length = window switch
        {
            UsageWindow.Minute => NodaConstants.TicksPerMinute,
            UsageWindow.Hour => NodaConstants.TicksPerHour,
            UsageWindow.Day => NodaConstants.TicksPerDay,
            _ => 0,
        };
        if (length == 0)
        {
            var month = _month;
            if (month is null || instant < month.Start || instant >= month.End)
            {
                month = new MonthBounds(window.StartOf(instant), window.EndOf(instant));
                _month = month;
            }

            return (month.Start, month.End);
        }

        var ticks = instant.ToUnixTimeTicks();
        var start = ticks - (((ticks % length) + length) % length);
        return (Instant.FromUnixTimeTicks(start), Instant.FromUnixTimeTicks(start + length));
    }
}

/// <summary>A calendar month's bounds, swapped whole.</summary>
internal sealed record MonthBounds(Instant Start, Instant End);
