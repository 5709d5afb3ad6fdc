using NodaTime;

namespace IronCage.Usage;

/// <summary>
/// A key's cost in the current day or month so far and its projection: linear extrapolation of the period so far,
/// <c>Cost × period length ÷ time elapsed</c>. Early in a period the projection swings widely.
/// </summary>
public sealed record CostProjection
{
    /// <summary>Gets the managed key.</summary>
    public required KeyReference Key { get; init; }

    /// <summary>Gets the period.</summary>
    public required UsageWindow Period { get; init; }

    /// <summary>Gets the start of the period.</summary>
    public required Instant PeriodStart { get; init; }

    /// <summary>Gets the end (exclusive) of the period.</summary>
    public required Instant PeriodEnd { get; init; }

    /// <summary>Gets the instant of the projection.</summary>
    public required Instant At { get; init; }

    /// <summary>Gets the known cost so far.</summary>
    public required decimal Cost { get; init; }

    /// <summary>Gets the projected cost of the whole period (equal to <see cref="Cost"/> when no time has elapsed).</summary>
    public required decimal ProjectedCost { get; init; }

    /// <summary>Gets the share of the period elapsed, between 0 and 1.</summary>
    public required double ElapsedFraction { get; init; }

    /// <summary>Gets how many calls had no price; when more than zero, the costs are lower bounds.</summary>
    public required long UnpricedRequests { get; init; }

    /// <summary>Gets the currency.</summary>
    public required string Currency { get; init; }
}
