using Microsoft.Extensions.Hosting;

namespace IronCage.Notifications;

/// <summary>Runs the outbox with the host: starts delivery on start, drains on stop (bounded by <see cref="NotificationOutboxOptions.DrainTimeout"/> and the host's shutdown timeout).</summary>
internal sealed class NotificationOutboxService(NotificationOutbox outbox) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        outbox.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => outbox.StopAsync(cancellationToken);
}
