using NodaTime;

namespace IronCage.Usage;

/// <summary>What the recorder pre-aggregates: one key, version, model and minute.</summary>
internal readonly record struct SlotKey(KeyReference Key, string? VersionId, string? Model, long MinuteTicks);

/// <summary>
/// Cumulative counters of one <see cref="SlotKey"/> on one stripe. Writers add with Interlocked; the flusher reads the
/// totals and moves the difference to what it flushed last. Retiring a slot closes it: a writer that finds it closed
/// records into a new slot, and the flusher waits for writers already inside before it takes the final totals.
/// </summary>
internal sealed class MinuteSlot
{
    private long _requests;
    private long _errors;
    private long _input;
    private long _output;
    private int _writers;
    private int _closed;

    public MinuteSlot(SlotKey key, PriceResolution price)
    {
        Key = key;
        Minute = Instant.FromUnixTimeTicks(key.MinuteTicks);
        Price = price;
    }

    public SlotKey Key { get; }

    public Instant Minute { get; }

    public PriceResolution Price { get; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    // Flusher-only: the totals already moved to the pending batch.
    public long FlushedRequests { get; set; }

    public long FlushedErrors { get; set; }

    public long FlushedInput { get; set; }

    public long FlushedOutput { get; set; }

    /// <summary>Tells, without hashing, whether a sample belongs here (string comparison stops at the first difference).</summary>
    public bool Matches(in UsageSample sample, long minuteTicks)
        => Key.MinuteTicks == minuteTicks
            && string.Equals(Key.Model, sample.Model, StringComparison.Ordinal)
            && string.Equals(Key.VersionId, sample.VersionId, StringComparison.Ordinal)
            && Key.Key == sample.Key;

    public bool TryAdd(long inputTokens, long outputTokens, bool isError)
    {
        Interlocked.Increment(ref _writers);
        if (Volatile.Read(ref _closed) != 0)
        {
            Interlocked.Decrement(ref _writers);
            return false;
        }

        Interlocked.Increment(ref _requests);
        if (isError)
        {
            Interlocked.Increment(ref _errors);
        }

        if (inputTokens != 0)
        {
            Interlocked.Add(ref _input, inputTokens);
        }

        if (outputTokens != 0)
        {
            Interlocked.Add(ref _output, outputTokens);
        }

        Interlocked.Decrement(ref _writers);
        return true;
    }

    /// <summary>Closes the slot and waits until no writer is inside, so <see cref="Read"/> returns its final totals.</summary>
    public void Close()
    {
        Interlocked.Exchange(ref _closed, 1);
        var spin = default(SpinWait);
        while (Volatile.Read(ref _writers) != 0)
        {
            spin.SpinOnce();
        }
    }

    /// <summary>Reads one counted (not cost) metric.</summary>
    public long CountOf(UsageMetric metric) => metric switch
    {
        UsageMetric.Requests => Volatile.Read(ref _requests),
        UsageMetric.InputTokens => Volatile.Read(ref _input),
        UsageMetric.OutputTokens => Volatile.Read(ref _output),
        _ => Volatile.Read(ref _input) + Volatile.Read(ref _output),
    };

    public decimal Cost() => Price.CostOf(Volatile.Read(ref _input), Volatile.Read(ref _output));

    public UsageTotals Read()
    {
        var totals = new UsageTotals
        {
            Requests = Volatile.Read(ref _requests),
            Errors = Volatile.Read(ref _errors),
            InputTokens = Volatile.Read(ref _input),
            OutputTokens = Volatile.Read(ref _output),
        };
        totals.Cost = Price.CostOf(totals.InputTokens, totals.OutputTokens);
        totals.UnpricedRequests = Price.Status == UsageCostStatus.Unpriced ? totals.Requests : 0;
        return totals;
    }
}
