using System.Threading.Channels;
using IronCage.Telemetry;
using Microsoft.Extensions.Logging;

namespace IronCage.Notifications;

/// <summary>
/// One sink's bounded queue and the loop that delivers it, one event at a time: a timeout per delivery, retries with
/// exponential back-off, and a failure that is logged and counted, never thrown. A sink that hangs or fails holds up
/// only its own queue, and only for its retry budget.
/// </summary>
internal sealed class SinkQueue : IDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(1);

    private readonly INotificationSink _sink;
    private readonly NotificationOutboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<NotificationEvent> _channel;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _waiters = [];
    private Task? _loop;
    private NotificationEvent? _interrupted;
    private long _accepted;
    private long _handled;

    public SinkQueue(INotificationSink sink, NotificationOutboxOptions options, TimeProvider time, ILogger logger)
    {
        _sink = sink;
        _options = options;
        _time = time;
        _logger = logger;
        SinkName = SafeName(sink);
        var channelOptions = new BoundedChannelOptions(options.Capacity)
        {
            FullMode = options.FullMode == NotificationQueueFullMode.DropNewest ? BoundedChannelFullMode.DropWrite : BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        };
        _channel = Channel.CreateBounded<NotificationEvent>(channelOptions, dropped =>
        {
            Dropped(dropped, NotificationTelemetry.QueueFullReason, "the queue was full");
            Handled();
        });
    }

    public string SinkName { get; }

    public void Start() => _loop ??= Task.Run(RunAsync);

    public void Enqueue(NotificationEvent notificationEvent)
    {
        // Never blocks: a full queue drops by FullMode (the callback above); a completed one drops the event here.
        Interlocked.Increment(ref _accepted);
        if (!_channel.Writer.TryWrite(notificationEvent))
        {
            Dropped(notificationEvent, NotificationTelemetry.StoppedReason, "the outbox has stopped");
            Handled();
        }
    }

    /// <summary>Completes when every event queued so far has been delivered, has failed for good, or was dropped.</summary>
    public Task WhenHandledAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _accepted);
        lock (_waiters)
        {
            if (Interlocked.Read(ref _handled) >= target)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((target, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Stops taking events and waits until the queue is delivered or <paramref name="drainTimeout"/> fires, whichever is first.</summary>
    public async Task StopAsync(CancellationToken drainTimeout)
    {
        _channel.Writer.TryComplete();
        if (_loop is { } loop)
        {
            try
            {
                await loop.WaitAsync(drainTimeout).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The drain time is over: stop the delivery under way and give up what is still queued.
            }
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is { } stopped)
        {
            // The loop leaves at its next await; a sink that blocks its thread without awaiting is not waited for.
            await stopped.WaitAsync(StopGrace, _time, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var left = 0;
        while (_channel.Reader.TryRead(out _))
        {
            left++;
            Handled();
        }

        if (_interrupted is not null)
        {
            left++;
            Handled();
        }

        if (left > 0)
        {
            NotificationTelemetry.RecordDropped(SinkName, NotificationTelemetry.StoppedReason, left);
            Log.DrainIncomplete(_logger, left, SinkName, _options.DrainTimeout);
        }
    }

    public void Dispose()
    {
        // A loop left behind by a sink that blocks its thread still reads the token; it is disposed with the GC then.
        if (_loop is null || _loop.IsCompleted)
        {
            _stopping.Dispose();
        }
    }

    private static string SafeName(INotificationSink sink)
    {
        try
        {
            return sink.Name;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return sink.GetType().Name;
        }
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                while (!_stopping.IsCancellationRequested && reader.TryRead(out var notificationEvent))
                {
                    _interrupted = notificationEvent;
                    await DeliverAsync(notificationEvent).ConfigureAwait(false);
                    _interrupted = null;
                    Handled();
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopped: StopAsync counts what is left.
        }
    }

    private async Task DeliverAsync(NotificationEvent notificationEvent)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = new CancellationTokenSource(_options.DeliveryTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
            string outcome;
            Exception failure;
            try
            {
                // WaitAsync: a sink that ignores its token is left behind when the timeout fires, so it cannot hold the queue.
                await _sink.SendAsync(notificationEvent, linked.Token).AsTask().WaitAsync(linked.Token).ConfigureAwait(false);
                NotificationTelemetry.RecordDelivery(SinkName, IronCageTelemetry.SuccessOutcome);
                return;
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                // The drain time ran out during this delivery: the event counts as dropped with the rest of the queue.
                throw new OperationCanceledException(_stopping.Token);
            }
            catch (NotificationDeliveryException ex)
            {
                Fail(notificationEvent, ex);
                return;
            }
            catch (Exception ex) when (timeout.IsCancellationRequested)
            {
                outcome = $"timed out after {_options.DeliveryTimeout}";
                failure = new TimeoutException($"The notification sink {SinkName} did not deliver {notificationEvent.Type} within DeliveryTimeout ({_options.DeliveryTimeout}).", ex);
            }
            catch (Exception ex)
            {
                outcome = ex.GetType().Name;
                failure = ex;
            }

            if (attempt > _options.MaxRetries)
            {
                Fail(notificationEvent, failure);
                return;
            }

            var delay = Backoff(_options, attempt);
            Log.DeliveryRetrying(_logger, SinkName, notificationEvent.Type, notificationEvent.Key, attempt, outcome, delay);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The delay before retry <paramref name="attempt"/>: <c>RetryDelay × 2^(attempt − 1)</c>, at most <c>MaxRetryDelay</c>.</summary>
    internal static TimeSpan Backoff(NotificationOutboxOptions options, int attempt)
        => TimeSpan.FromTicks((long)Math.Min(options.RetryDelay.Ticks * Math.Pow(2, attempt - 1), options.MaxRetryDelay.Ticks));

    private void Fail(NotificationEvent notificationEvent, Exception exception)
    {
        NotificationTelemetry.RecordDelivery(SinkName, IronCageTelemetry.FailureOutcome);
        Log.SinkFailed(_logger, SinkName, notificationEvent.Type, notificationEvent.Key, exception);
    }

    private void Handled()
    {
        var handled = Interlocked.Increment(ref _handled);
        lock (_waiters)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Target <= handled)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private void Dropped(NotificationEvent notificationEvent, string reason, string description)
    {
        NotificationTelemetry.RecordDropped(SinkName, reason);
        Log.EventDropped(_logger, notificationEvent.Type, notificationEvent.Key, SinkName, description, _options.Capacity);
    }
}
