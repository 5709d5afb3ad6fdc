using NodaTime;

namespace IronCage.Usage;

/// <summary>Usage sums of one key in one window, as the live counters hold them.</summary>
internal struct UsageTotals
{
    public long Requests;
    public long Errors;
    public long InputTokens;
    public long OutputTokens;
    public decimal Cost;
    public long UnpricedRequests;

    public readonly decimal ValueOf(UsageMetric metric) => metric switch
    {
        UsageMetric.Requests => Requests,
        UsageMetric.Tokens => InputTokens + OutputTokens,
        UsageMetric.InputTokens => InputTokens,
        UsageMetric.OutputTokens => OutputTokens,
        _ => Cost,
    };

    public readonly long CountOf(UsageMetric metric) => metric switch
    {
        UsageMetric.Requests => Requests,
        UsageMetric.InputTokens => InputTokens,
        UsageMetric.OutputTokens => OutputTokens,
        _ => InputTokens + OutputTokens,
    };

    public void Add(in UsageTotals other)
    {
        Requests += other.Requests;
        Errors += other.Errors;
        InputTokens += other.InputTokens;
        OutputTokens += other.OutputTokens;
        Cost += other.Cost;
        UnpricedRequests += other.UnpricedRequests;
    }

    public void Subtract(in UsageTotals other)
    {
        Requests = Math.Max(0, Requests - other.Requests);
        Errors = Math.Max(0, Errors - other.Errors);
        InputTokens = Math.Max(0, InputTokens - other.InputTokens);
        OutputTokens = Math.Max(0, OutputTokens - other.OutputTokens);
        Cost = Math.Max(0m, Cost - other.Cost);
        UnpricedRequests = Math.Max(0, UnpricedRequests - other.UnpricedRequests);
    }

    public static UsageTotals From(UsageRecord record) => new()
    {
        Requests = record.Requests,
        Errors = record.Errors,
        InputTokens = record.InputTokens,
        OutputTokens = record.OutputTokens,
        Cost = record.CostStatus == UsageCostStatus.Unpriced ? 0m : record.Cost,
        UnpricedRequests = record.CostStatus == UsageCostStatus.Unpriced ? record.Requests : 0,
    };

    public static UsageTotals From(UsageAggregate aggregate) => new()
    {
        Requests = aggregate.Requests,
        Errors = aggregate.Errors,
        InputTokens = aggregate.InputTokens,
        OutputTokens = aggregate.OutputTokens,
        Cost = aggregate.Cost,
        UnpricedRequests = aggregate.UnpricedRequests,
    };

    public readonly UsageAggregate ToAggregate(KeyReference key, Instant windowStart) => new()
    {
        Key = key,
        WindowStart = windowStart,
        Requests = Requests,
        Errors = Errors,
        InputTokens = InputTokens,
        OutputTokens = OutputTokens,
        Cost = Cost,
        UnpricedRequests = UnpricedRequests,
    };
}

/// <summary>An immutable snapshot of one window's sums, swapped whole so readers never see a half-written window.</summary>
internal sealed class WindowTotals
{
    public WindowTotals(Instant start, in UsageTotals totals)
    {
        Start = start;
        Totals = totals;
    }

    public Instant Start { get; }

    public UsageTotals Totals { get; }
}
