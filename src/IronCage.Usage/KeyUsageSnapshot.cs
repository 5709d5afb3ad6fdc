using NodaTime;

namespace IronCage.Usage;

/// <summary>A managed key's current usage: each window's sums and each limit's status.</summary>
public sealed record KeyUsageSnapshot
{
    /// <summary>Gets the managed key.</summary>
    public required KeyReference Key { get; init; }

    /// <summary>Gets the instant the snapshot describes.</summary>
    public required Instant At { get; init; }

    /// <summary>Gets the usage of the current UTC minute.</summary>
    public required UsageAggregate Minute { get; init; }

    /// <summary>Gets the usage of the current UTC hour.</summary>
    public required UsageAggregate Hour { get; init; }

    /// <summary>Gets the usage of the current UTC day.</summary>
    public required UsageAggregate Day { get; init; }

    /// <summary>Gets the usage of the current UTC calendar month.</summary>
    public required UsageAggregate Month { get; init; }

    /// <summary>Gets the status of each of the key's limits.</summary>
    public required IReadOnlyList<UsageLimitStatus> Limits { get; init; }

    /// <summary>Gets the currency of the costs.</summary>
    public required string Currency { get; init; }
}
