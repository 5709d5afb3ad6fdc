using IronCage.Notifications;
using Microsoft.Extensions.Logging;

namespace IronCage.Rotation;

/// <summary>
/// Hands rotation events to the in-process subscribers (awaited; their failures are logged, never thrown) and queues
/// them in the notification outbox for the sinks, which deliver in the background: publishing never waits on a sink.
/// </summary>
internal sealed class RotationEventPublisher
{
    private readonly IRotationEventSubscriber[] _subscribers;
    private readonly INotificationPublisher _notifications;
    private readonly ILogger<RotationEventPublisher> _logger;

    public RotationEventPublisher(IEnumerable<IRotationEventSubscriber> subscribers, INotificationPublisher notifications, ILogger<RotationEventPublisher> logger)
    {
        _subscribers = [.. subscribers];
        _notifications = notifications;
        _logger = logger;
    }

    public async ValueTask PublishAsync(RotationEvent rotationEvent, CancellationToken cancellationToken)
    {
        foreach (var subscriber in _subscribers)
        {
            try
            {
                await subscriber.OnEventAsync(rotationEvent, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.SubscriberFailed(_logger, subscriber.GetType().Name, rotationEvent.Type, rotationEvent.Key, ex);
            }
        }

        _notifications.Publish(rotationEvent);
    }
}
