namespace IronCage.Usage;

/// <summary>
/// Receives usage alerts. IronCage.Rotation bridges alerts into its notification pipeline, so the logger, webhook and
/// Slack sinks deliver them; register more with <c>TryAddEnumerable</c>. A failing sink is logged and never stops tracking.
/// </summary>
public interface IUsageAlertSink
{
    /// <summary>Delivers an alert.</summary>
    /// <param name="alert">The alert.</param>
    /// <param name="cancellationToken">Cancels the delivery.</param>
    /// <returns>A task that completes when delivered (or given up on).</returns>
    ValueTask SendAsync(UsageAlert alert, CancellationToken cancellationToken = default);
}
