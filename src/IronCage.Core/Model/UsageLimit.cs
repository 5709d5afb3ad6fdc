using System.Globalization;

namespace IronCage;

/// <summary>One limit: at most <see cref="Limit"/> of <see cref="Metric"/> per <see cref="Window"/>.</summary>
public sealed record UsageLimit
{
    /// <summary>Creates a limit.</summary>
    /// <param name="metric">What is counted.</param>
    /// <param name="window">Per which window.</param>
    /// <param name="limit">The most allowed; more than zero.</param>
    /// <param name="enforcement">Soft (alerts) or hard (key unavailable).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not positive.</exception>
    public UsageLimit(UsageMetric metric, UsageWindow window, decimal limit, LimitEnforcement enforcement = LimitEnforcement.Hard)
    {
        if (limit <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "A usage limit must be more than zero; remove the limit instead of setting it to zero.");
        }

        Metric = metric;
        Window = window;
        Limit = limit;
        Enforcement = enforcement;
    }

    /// <summary>Gets what is counted.</summary>
    public UsageMetric Metric { get; }

    /// <summary>Gets the window.</summary>
    public UsageWindow Window { get; }

    /// <summary>Gets the most allowed per window.</summary>
    public decimal Limit { get; }

    /// <summary>Gets what happens when the limit is reached.</summary>
    public LimitEnforcement Enforcement { get; }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Limit} {Metric} per {Window} ({Enforcement})");
}
