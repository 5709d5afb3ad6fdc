using NodaTime;

namespace IronCage.Usage;

/// <summary>
/// Usage as stored: the calls of one managed key, key version and model within one minute, summed, with their cost.
/// The recorder batches samples into records; a store appends them and aggregates them into windows.
/// </summary>
public sealed record UsageRecord
{
    /// <summary>Gets the managed key.</summary>
    public required KeyReference Key { get; init; }

    /// <summary>Gets the start of the minute (UTC) the calls fell in.</summary>
    public required Instant Minute { get; init; }

    /// <summary>Gets the key version that served the calls, when known.</summary>
    public string? VersionId { get; init; }

    /// <summary>Gets the model the calls named, when known.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the number of calls.</summary>
    public long Requests { get; init; }

    /// <summary>Gets how many of the calls failed.</summary>
    public long Errors { get; init; }

    /// <summary>Gets the input tokens of the calls.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens of the calls.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the cost of the calls in the price catalog's currency; 0 when <see cref="CostStatus"/> is <see cref="UsageCostStatus.Unpriced"/>.</summary>
    public decimal Cost { get; init; }

    /// <summary>Gets how the cost was found.</summary>
    public UsageCostStatus CostStatus { get; init; }
}
