using IronCage.Usage;

namespace IronCage.Rotation;

/// <summary>Bridges usage alerts into the rotation event pipeline, so every subscriber and notification sink receives them.</summary>
internal sealed class UsageAlertNotificationBridge : IUsageAlertSink
{
    private readonly RotationEventPublisher _publisher;

    public UsageAlertNotificationBridge(RotationEventPublisher publisher) => _publisher = publisher;

    public ValueTask SendAsync(UsageAlert alert, CancellationToken cancellationToken = default)
        => _publisher.PublishAsync(UsageAlertRaised.From(alert), cancellationToken);
}
