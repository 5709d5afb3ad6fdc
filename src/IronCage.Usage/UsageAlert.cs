using System.Globalization;
using NodaTime;

namespace IronCage.Usage;

/// <summary>A usage alert about one managed key, raised at most once per cause and window. Never carries a secret.</summary>
public sealed record UsageAlert
{
    /// <summary>Gets the managed key.</summary>
    public required KeyReference Key { get; init; }

    /// <summary>Gets why the alert was raised.</summary>
    public required UsageAlertKind Kind { get; init; }

    /// <summary>Gets when it was raised.</summary>
    public required Instant OccurredAt { get; init; }

    /// <summary>Gets the window the alert is about.</summary>
    public required UsageWindow Window { get; init; }

    /// <summary>Gets the start of the window.</summary>
    public required Instant WindowStart { get; init; }

    /// <summary>Gets the end (exclusive) of the window: the alert is not raised again for the same cause before it.</summary>
    public required Instant WindowEnd { get; init; }

    /// <summary>Gets the limit concerned, for threshold, limit and projection alerts.</summary>
    public UsageLimit? Limit { get; init; }

    /// <summary>Gets the fraction reached (a threshold alert's threshold, or the error rate of an error spike).</summary>
    public double? Threshold { get; init; }

    /// <summary>Gets the observed value: usage of the limit's metric, the error rate, the hour's cost, or the projected cost.</summary>
    public required decimal Value { get; init; }

    /// <summary>Describes the alert in one sentence for people.</summary>
    /// <returns>The sentence.</returns>
    public string Describe() => Kind switch
    {
        UsageAlertKind.ThresholdReached => string.Create(CultureInfo.InvariantCulture, $"{Key} used {Value} of {Limit} ({Threshold:P0} threshold) in the {Window} from {WindowStart}."),
        UsageAlertKind.LimitReached => string.Create(CultureInfo.InvariantCulture, $"{Key} reached its limit of {Limit} ({Value} used) and is unavailable until {WindowEnd}."),
        UsageAlertKind.ErrorSpike => string.Create(CultureInfo.InvariantCulture, $"{Key} failed {Threshold:P0} of its requests in the minute from {WindowStart}."),
        UsageAlertKind.SpendVelocity => string.Create(CultureInfo.InvariantCulture, $"{Key} spent {Value} in the hour from {WindowStart}, over the alert rate."),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Key} is projected to spend {Value} in the {Window} from {WindowStart}, over its limit of {Limit}."),
    };
}
