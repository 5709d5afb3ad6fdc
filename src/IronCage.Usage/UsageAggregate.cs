using NodaTime;

namespace IronCage.Usage;

/// <summary>The usage of one managed key (and model, when split by model) in one window.</summary>
public sealed record UsageAggregate
{
    /// <summary>Gets the managed key.</summary>
    public required KeyReference Key { get; init; }

    /// <summary>Gets the start of the window (UTC-aligned).</summary>
    public required Instant WindowStart { get; init; }

    /// <summary>Gets the model, when the query split by model; otherwise <see langword="null"/>.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the number of calls.</summary>
    public long Requests { get; init; }

    /// <summary>Gets how many calls failed.</summary>
    public long Errors { get; init; }

    /// <summary>Gets the input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the known cost (priced and fallback-rate records).</summary>
    public decimal Cost { get; init; }

    /// <summary>Gets how many calls have no known cost; when more than zero, <see cref="Cost"/> is a lower bound.</summary>
    public long UnpricedRequests { get; init; }

    /// <summary>Gets the total tokens (input plus output).</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>Gets the share of calls that failed (errors divided by requests), 0 when there were no calls.</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;
}
