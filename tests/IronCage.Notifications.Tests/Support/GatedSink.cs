using System.Collections.Concurrent;

namespace IronCage.Notifications.Tests;

/// <summary>
/// A sink under the test's control: it records every delivery, can fail the first deliveries, and can hold every
/// delivery until the test opens its gate (a receiver that is down). It can ignore its cancellation token, as a badly
/// written sink would.
/// </summary>
internal sealed class GatedSink(string name) : INotificationSink
{
    private readonly ConcurrentQueue<NotificationEvent> _delivered = new();
    private readonly ConcurrentQueue<NotificationEvent> _attempted = new();
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _deliveredCounts = new();
    private int _failuresLeft;

    public string Name { get; } = name;

    /// <summary>Gets or sets a value indicating whether deliveries wait for <see cref="Open"/>.</summary>
    public bool Gated { get; init; }

    /// <summary>Gets or sets a value indicating whether a gated delivery ignores its cancellation token.</summary>
    public bool IgnoresCancellation { get; init; }

    /// <summary>Gets or sets how many deliveries fail before they start to succeed.</summary>
    public int FailFirst { get => _failuresLeft; init => _failuresLeft = value; }

    public IReadOnlyList<NotificationEvent> Delivered => [.. _delivered];

    public IReadOnlyList<NotificationEvent> Attempted => [.. _attempted];

    /// <summary>Gets a task that completes when the first delivery reached the sink.</summary>
    public Task Entered => _entered.Task;

    public void Open() => _gate.TrySetResult();

    /// <summary>Completes when <paramref name="count"/> events were delivered.</summary>
    public Task DeliveredAsync(int count)
    {
        var done = _deliveredCounts.GetOrAdd(count, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_delivered.Count >= count)
        {
            done.TrySetResult();
        }

        return done.Task;
    }

    public async ValueTask SendAsync(NotificationEvent notificationEvent, CancellationToken cancellationToken = default)
    {
        _attempted.Enqueue(notificationEvent);
        _entered.TrySetResult();
        if (Gated)
        {
            await (IgnoresCancellation ? _gate.Task : _gate.Task.WaitAsync(cancellationToken));
        }

        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new InvalidOperationException("The receiver is down.");
        }

        _delivered.Enqueue(notificationEvent);
        foreach (var (count, done) in _deliveredCounts)
        {
            if (_delivered.Count >= count)
            {
                done.TrySetResult();
            }
        }
    }
}
