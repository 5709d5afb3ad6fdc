using Microsoft.Extensions.Logging;

namespace IronCage.Notifications;

/// <summary>IronCage.Notifications' log messages (event ids 5000–5099). Key references, event types and delivery ids only; never a secret or a webhook URL.</summary>
internal static partial class Log
{
    // The logger sink: 5000–5009.
    [LoggerMessage(EventId = 5000, Message = "{EventType} for {Key} (operation {OperationId}): {Description}")]
    public static partial void NotificationEvent(ILogger logger, LogLevel level, string eventType, KeyReference key, string operationId, string description);

    [LoggerMessage(EventId = 5001, Message = "{EventType} for {Key}: {Description}")]
    public static partial void NotificationEvent(ILogger logger, LogLevel level, string eventType, KeyReference key, string description);

    // The HTTP sinks: 5010–5019.
    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Notification sink {Sink}: attempt {Attempt} to deliver {EventType} for {Key} (delivery {DeliveryId}) failed ({Outcome}); retrying in {Delay}.")]
    public static partial void NotificationRetrying(ILogger logger, string sink, string eventType, KeyReference key, string deliveryId, int attempt, string outcome, TimeSpan delay);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Debug, Message = "Notification sink {Sink} delivered {EventType} for {Key} (delivery {DeliveryId}) in {Attempts} attempt(s).")]
    public static partial void NotificationDelivered(ILogger logger, string sink, string eventType, KeyReference key, string deliveryId, int attempts);

    // The outbox: 5020–5039.
    [LoggerMessage(EventId = 5020, Level = LogLevel.Warning, Message = "Notification sink {Sink} could not deliver {EventType} for {Key}.")]
    public static partial void SinkFailed(ILogger logger, string sink, string eventType, KeyReference key, Exception exception);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Information, Message = "Notification sink {Sink}: delivery {Attempt} of {EventType} for {Key} failed ({Outcome}); the outbox retries in {Delay}.")]
    public static partial void DeliveryRetrying(ILogger logger, string sink, string eventType, KeyReference key, int attempt, string outcome, TimeSpan delay);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Warning, Message = "The notification outbox dropped {EventType} for {Key} on its way to sink {Sink}: {Reason} (each sink queues at most {Capacity} events).")]
    public static partial void EventDropped(ILogger logger, string eventType, KeyReference key, string sink, string reason, int capacity);

    [LoggerMessage(EventId = 5023, Level = LogLevel.Warning, Message = "The notification outbox stopped with {Count} event(s) still queued for sink {Sink}; they were dropped (DrainTimeout {DrainTimeout}).")]
    public static partial void DrainIncomplete(ILogger logger, int count, string sink, TimeSpan drainTimeout);
}
