using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage.Notifications;

/// <summary>
/// The outbox behind <see cref="INotificationPublisher"/>: one bounded queue and one delivery loop per sink.
/// <see cref="Publish"/> only queues. The loops start with the host (<see cref="NotificationOutboxService"/>) or, in an
/// application without a generic host, at the first event; they drain on host stop within
/// <see cref="NotificationOutboxOptions.DrainTimeout"/>, and stop at once when the container is disposed.
/// </summary>
internal sealed class NotificationOutbox : INotificationPublisher, IDisposable
{
    private readonly SinkQueue[] _queues;
    private readonly TimeSpan _drainTimeout;
    private readonly TimeProvider _time;
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(1);
    private readonly object _gate = new();
    private bool _started;
    private Task? _stopped;

    public NotificationOutbox(IEnumerable<INotificationSink> sinks, IOptions<NotificationOutboxOptions> options, TimeProvider time, ILogger<NotificationOutbox> logger)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var value = options.Value;
        _drainTimeout = value.DrainTimeout;
        _time = time;
        _queues = [.. sinks.Select(sink => new SinkQueue(sink, value, time, logger))];
    }

    /// <summary>Gets the names of the sinks the outbox delivers to.</summary>
    public IReadOnlyList<string> Sinks => [.. _queues.Select(q => q.SinkName)];

    /// <inheritdoc />
    public void Publish(NotificationEvent notificationEvent)
    {
        ArgumentNullException.ThrowIfNull(notificationEvent);
        if (_queues.Length == 0)
        {
            return;
        }

        Start();
        foreach (var queue in _queues)
        {
            queue.Enqueue(notificationEvent);
        }
    }

    /// <summary>Starts the delivery loops; safe to call more than once.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started || _stopped is not null)
            {
                return;
            }

            _started = true;
            foreach (var queue in _queues)
            {
                queue.Start();
            }
        }
    }

    /// <summary>Completes when every event published so far has been delivered to every sink, has failed for good, or was dropped.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes then.</returns>
    public Task WhenHandledAsync(CancellationToken cancellationToken = default)
        => Task.WhenAll(_queues.Select(q => q.WhenHandledAsync(cancellationToken)));

    /// <summary>
    /// Stops taking events and delivers what is queued, for at most <see cref="NotificationOutboxOptions.DrainTimeout"/>
    /// or until <paramref name="cancellationToken"/> fires; what is left is dropped, counted and logged. Never throws.
    /// </summary>
    /// <param name="cancellationToken">The host's shutdown deadline.</param>
    /// <returns>A task that completes when every loop has stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _stopped ??= DrainAsync(_drainTimeout, cancellationToken);
        }
    }

    /// <summary>Stops without draining: the container is going away.</summary>
    public void Dispose()
    {
        Task stopping;
        lock (_gate)
        {
            stopping = _stopped ??= DrainAsync(TimeSpan.Zero, CancellationToken.None);
        }

        // Dispose is synchronous; with no drain time every loop stops at its next await, so the wait is short. A sink
        // that blocks its thread without ever awaiting is not waited for beyond DisposeWait.
        stopping.Wait(DisposeWait);
    }

    private async Task DrainAsync(TimeSpan drainTimeout, CancellationToken cancellationToken)
    {
        using var deadline = drainTimeout > TimeSpan.Zero ? new CancellationTokenSource(drainTimeout, _time) : new CancellationTokenSource();
        if (drainTimeout <= TimeSpan.Zero)
        {
            await deadline.CancelAsync().ConfigureAwait(false);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        await Task.WhenAll(_queues.Select(q => q.StopAsync(linked.Token))).ConfigureAwait(false);
        foreach (var queue in _queues)
        {
            queue.Dispose();
        }
    }
}
