using System.Diagnostics.Metrics;
using IronCage.Telemetry;

namespace IronCage.Notifications;

/// <summary>The names of the notification instruments on the <c>IronCage</c> meter (<see cref="IronCageTelemetry.Meter"/>) and their tags.</summary>
public static class NotificationTelemetry
{
    /// <summary>Counter: events the outbox dropped for a sink, tagged with <see cref="SinkTag"/> and <see cref="ReasonTag"/>.</summary>
    public const string DroppedCount = "ironcage.notification.dropped";

    /// <summary>Counter: deliveries that ended, tagged with <see cref="SinkTag"/> and <see cref="IronCageTelemetry.OutcomeTag"/> (<c>success</c> or <c>failure</c>).</summary>
    public const string DeliveryCount = "ironcage.notification.delivery.count";

    /// <summary>Tag: the sink's <see cref="INotificationSink.Name"/>.</summary>
    public const string SinkTag = "ironcage.sink";

    /// <summary>Tag: why an event was dropped, <see cref="QueueFullReason"/> or <see cref="StoppedReason"/>.</summary>
    public const string ReasonTag = "ironcage.reason";

    /// <summary>Value of <see cref="ReasonTag"/>: the sink's queue was full.</summary>
    public const string QueueFullReason = "queue_full";

    /// <summary>Value of <see cref="ReasonTag"/>: the outbox had stopped, or its drain time ran out with the event still queued.</summary>
    public const string StoppedReason = "stopped";

    internal static Counter<long> Dropped { get; } = IronCageTelemetry.Meter.CreateCounter<long>(DroppedCount, unit: "{event}", description: "Events the notification outbox dropped, by sink and reason.");

    internal static Counter<long> Deliveries { get; } = IronCageTelemetry.Meter.CreateCounter<long>(DeliveryCount, unit: "{delivery}", description: "Notification deliveries that ended, by sink and outcome.");

    internal static void RecordDropped(string sink, string reason, long count = 1)
        => Dropped.Add(count, new KeyValuePair<string, object?>(SinkTag, sink), new KeyValuePair<string, object?>(ReasonTag, reason));

    internal static void RecordDelivery(string sink, string outcome)
        => Deliveries.Add(1, new KeyValuePair<string, object?>(SinkTag, sink), new KeyValuePair<string, object?>(IronCageTelemetry.OutcomeTag, outcome));
}
