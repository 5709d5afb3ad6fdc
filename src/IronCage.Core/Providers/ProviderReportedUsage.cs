using NodaTime;

namespace IronCage.Providers;

/// <summary>A key's spend as its provider reports it (amounts in <see cref="Currency"/>).</summary>
public sealed record ProviderReportedUsage
{
    /// <summary>Gets when the figures were read.</summary>
    public required Instant ObservedAt { get; init; }

    /// <summary>Gets the ISO 4217 currency of the amounts.</summary>
    /// <value>The default value is <c>USD</c>.</value>
    public string Currency { get; init; } = "USD";

    /// <summary>Gets the spend over the key's whole life, if reported.</summary>
    public decimal? Total { get; init; }

    /// <summary>Gets the spend of the current UTC day, if reported.</summary>
    public decimal? Daily { get; init; }

    /// <summary>Gets the spend of the current UTC week, if reported.</summary>
    public decimal? Weekly { get; init; }

    /// <summary>Gets the spend of the current UTC month, if reported.</summary>
    public decimal? Monthly { get; init; }

    /// <summary>Gets the provider-side spend limit of the key, if one is set.</summary>
    public decimal? Limit { get; init; }

    /// <summary>Gets what remains of the provider-side limit, if one is set.</summary>
    public decimal? LimitRemaining { get; init; }
}
