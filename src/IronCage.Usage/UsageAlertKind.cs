namespace IronCage.Usage;

/// <summary>Why a usage alert was raised.</summary>
public enum UsageAlertKind
{
    /// <summary>A limit's usage reached one of the key's alert thresholds (<see cref="UsageLimits.AlertThresholds"/>).</summary>
    ThresholdReached = 0,

    /// <summary>A hard limit was reached: the key is unavailable until the window resets.</summary>
    LimitReached = 1,

    /// <summary>The error rate within one minute went over <see cref="UsageTrackingOptions.ErrorSpikeThreshold"/>.</summary>
    ErrorSpike = 2,

    /// <summary>The cost of one hour went over <see cref="UsageTrackingOptions.SpendVelocityPerHour"/>.</summary>
    SpendVelocity = 3,

    /// <summary>The cost of a window, extrapolated linearly to the window's end, exceeds a cost limit.</summary>
    ProjectedOverLimit = 4,
}
