using System.Text.Json;
using IronCage.Notifications;

namespace IronCage.Usage;

/// <summary>
/// A usage alert (<see cref="UsageAlert"/>) as a notification event: delivered through the notification outbox to the
/// same sinks as rotation events, so the logger, webhook and Slack sinks report it.
/// </summary>
public sealed record UsageAlertRaised : NotificationEvent
{
    /// <summary>Gets the alert.</summary>
    public required UsageAlert Alert { get; init; }

    /// <inheritdoc />
    /// <remarks><c>usage.threshold_reached</c>, <c>usage.limit_reached</c>, <c>usage.error_spike</c>, <c>usage.spend_velocity</c> or <c>usage.projected_over_limit</c>.</remarks>
    public override string Type => "usage." + PayloadName(Alert.Kind);

    /// <inheritdoc />
    public override EventSeverity Severity => Alert.Kind == UsageAlertKind.LimitReached ? EventSeverity.Critical : EventSeverity.Warning;

    /// <summary>Creates the event for an alert.</summary>
    /// <param name="alert">The alert.</param>
    /// <returns>The event.</returns>
    public static UsageAlertRaised From(UsageAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return new UsageAlertRaised { Key = alert.Key, OccurredAt = alert.OccurredAt, Alert = alert };
    }

    /// <inheritdoc />
    public override string Describe() => Alert.Describe();

    /// <inheritdoc />
    protected override void WritePayloadFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("alertKind", PayloadName(Alert.Kind));
        writer.WriteString("window", PayloadName(Alert.Window));
        writer.WriteString("windowStart", PayloadInstant(Alert.WindowStart));
        writer.WriteString("windowEnd", PayloadInstant(Alert.WindowEnd));
        writer.WriteString("limit", Alert.Limit?.ToString());
        writer.WriteNumber("value", Alert.Value);
        if (Alert.Threshold is { } threshold)
        {
            writer.WriteNumber("threshold", threshold);
        }
    }
}
