using IronCage.Internal;
namespace IronCage;

/// <summary>The usage limits of a managed key, and the fractions of a limit at which alerts are raised.</summary>
public sealed record UsageLimits
{
    /// <summary>Gets limits that limit nothing.</summary>
    public static UsageLimits None { get; } = new();

    /// <summary>Gets the limits.</summary>
    public IReadOnlyList<UsageLimit> Limits { get; init => field = Frozen.List(value); } = [];

    /// <summary>Gets the fractions of a limit (between 0 and 1) at which alerts are raised.</summary>
    /// <value>The default value is 0.8 and 0.95.</value>
    public IReadOnlyList<decimal> AlertThresholds { get; init => field = Frozen.List(value); } = Frozen.List([0.8m, 0.95m]);

    /// <summary>Checks the limits.</summary>
    /// <exception cref="IronCageException">A threshold is outside (0, 1], or two limits count the same metric per the same window with the same enforcement.</exception>
    public void Validate()
    {
        foreach (var threshold in AlertThresholds)
        {
            if (threshold <= 0 || threshold > 1)
            {
                throw new IronCageException($"Alert threshold {threshold} is out of range: use fractions above 0 and at most 1, such as 0.8.");
            }
        }

        var seen = new HashSet<(UsageMetric, UsageWindow, LimitEnforcement)>();
        foreach (var limit in Limits)
        {
            if (!seen.Add((limit.Metric, limit.Window, limit.Enforcement)))
            {
                throw new IronCageException($"Two {limit.Enforcement} limits count {limit.Metric} per {limit.Window}; keep one.");
            }
        }
    }
}
