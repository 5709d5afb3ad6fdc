namespace IronCage.Notifications;

/// <summary>
/// Delivers events to people or systems outside the process (a log, a webhook, Slack). The outbox calls it in the
/// background, one event at a time per sink, with a timeout per delivery and retries: a failing or hanging sink never
/// delays a rotation, another sink or the host.
/// </summary>
/// <remarks>
/// Throw when an event could not be delivered; the outbox retries it with back-off
/// (<see cref="NotificationOutboxOptions.MaxRetries"/>). Throw <see cref="NotificationDeliveryException"/> when the
/// sink has already retried by its own policy (as the HTTP sinks do) or the failure is final, so the outbox does not
/// retry again. Honour the cancellation token: it fires when the delivery times out
/// (<see cref="NotificationOutboxOptions.DeliveryTimeout"/>) or the host's drain time is over.
/// </remarks>
public interface INotificationSink
{
    /// <summary>Gets the sink's name, for logs and metrics.</summary>
    string Name { get; }

    /// <summary>Delivers an event.</summary>
    /// <param name="notificationEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the delivery (timeout or shutdown).</param>
    /// <returns>A task that completes when delivered.</returns>
    ValueTask SendAsync(NotificationEvent notificationEvent, CancellationToken cancellationToken = default);
}
