using Microsoft.Extensions.Logging;

namespace IronCage.Rotation;

/// <summary>Fans events out to every subscriber and sink; their failures are logged, never thrown.</summary>
internal sealed class RotationEventPublisher
{
    private readonly IRotationEventSubscriber[] _subscribers;
    private readonly INotificationSink[] _sinks;
    private readonly ILogger<RotationEventPublisher> _logger;

    public RotationEventPublisher(IEnumerable<IRotationEventSubscriber> subscribers, IEnumerable<INotificationSink> sinks, ILogger<RotationEventPublisher> logger)
    {
        _subscribers = [.. subscribers];
        _sinks = [.. sinks];
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

        foreach (var sink in _sinks)
        {
            try
            {
                await sink.SendAsync(rotationEvent, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.SinkFailed(_logger, sink.Name, rotationEvent.Type, rotationEvent.Key, ex);
            }
        }
    }
}
