namespace IronCage.Notifications;

/// <summary>
/// Publishes events to every registered <see cref="INotificationSink"/> through the outbox: <see cref="Publish"/> only
/// queues the event and returns at once; delivery runs in the background. Rotation and usage tracking publish through
/// it; a host may publish its own <see cref="NotificationEvent"/> types too.
/// </summary>
public interface INotificationPublisher
{
    /// <summary>
    /// Queues an event for every sink. Never waits on a sink and never throws because of one: when a sink's queue is
    /// full, an event is dropped by <see cref="NotificationOutboxOptions.FullMode"/>, counted
    /// (<c>ironcage.notification.dropped</c>) and logged.
    /// </summary>
    /// <param name="notificationEvent">The event.</param>
    /// <exception cref="ArgumentNullException"><paramref name="notificationEvent"/> is <see langword="null"/>.</exception>
    void Publish(NotificationEvent notificationEvent);
}
