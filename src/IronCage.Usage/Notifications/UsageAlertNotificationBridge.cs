using IronCage.Notifications;

namespace IronCage.Usage;

/// <summary>
/// Sends usage alerts to the notification sinks as <see cref="UsageAlertRaised"/> events, through the outbox (it
/// queues and returns; the sinks deliver in the background).
/// </summary>
internal sealed class UsageAlertNotificationBridge : IUsageAlertSink
{
    private readonly INotificationPublisher _publisher;

    public UsageAlertNotificationBridge(INotificationPublisher publisher, IEnumerable<INotificationSink> sinks)
    {
        _publisher = publisher;
        HasSinks = sinks.Any();
    }

    /// <summary>Gets a value indicating whether any notification sink is registered; without one, alerts go to the log instead.</summary>
    public bool HasSinks { get; }

    public ValueTask SendAsync(UsageAlert alert, CancellationToken cancellationToken = default)
    {
        _publisher.Publish(UsageAlertRaised.From(alert));
        return ValueTask.CompletedTask;
    }
}
