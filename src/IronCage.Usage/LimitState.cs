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
