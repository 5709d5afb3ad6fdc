using NodaTime;

namespace IronCage.Usage;

/// <summary>Where a key stands against one of its limits in the current window.</summary>
public sealed record UsageLimitStatus
{
    /// <summary>Gets the limit.</summary>
    public required UsageLimit Limit { get; init; }

    /// <summary>Gets the usage of the limit's metric in the current window.</summary>
    public required decimal Used { get; init; }

    /// <summary>Gets the share of the limit used (may exceed 1 for a soft limit).</summary>
    public double FractionUsed => (double)(Used / Limit.Limit);

    /// <summary>Gets the start of the current window.</summary>
    public required Instant WindowStart { get; init; }

    /// <summary>Gets when the window resets.</summary>
    public required Instant ResetsAt { get; init; }

    /// <summary>Gets a value indicating whether this is a hard limit that is reached, so the key is unavailable until <see cref="ResetsAt"/>.</summary>
    public bool IsBlocking => Limit.Enforcement == LimitEnforcement.Hard && Used >= Limit.Limit;
}
