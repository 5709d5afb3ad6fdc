namespace IronCage.Testing;

/// <summary>
/// What the next calls of one <see cref="FakeProviderOperation"/> do. Scripted behaviours are used in order, one
/// per call; when none are left the operation succeeds (or does what <see cref="FailAlways"/> or
/// <see cref="ThrowAlways"/> set). Thread-safe.
/// </summary>
public sealed class FakeOperationScript
{
    private readonly object _gate = new();
    private readonly Queue<Behavior> _queue = new();
    private readonly List<TaskCompletionSource> _hung = [];
    private Behavior? _always;

    internal FakeOperationScript(FakeProviderOperation operation) => Operation = operation;

    /// <summary>Gets the operation this script controls.</summary>
    public FakeProviderOperation Operation { get; }

    /// <summary>Gets how many scripted behaviours are still waiting to be used.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>The next <paramref name="times"/> calls succeed (useful between failures).</summary>
    /// <param name="times">How many calls.</param>
    /// <returns>This script.</returns>
    public FakeOperationScript Succeed(int times = 1) => Enqueue(new Behavior(BehaviorKind.Succeed), times);

    /// <summary>The next <paramref name="times"/> calls fail with <paramref name="kind"/>, before changing anything.</summary>
    /// <param name="kind">The error kind (its usual HTTP status is used: 401, 403, 429, 404, 409, 503 …).</param>
    /// <param name="times">How many calls.</param>
    /// <param name="retryAfter">The retry-after the failure carries.</param>
    /// <returns>This script.</returns>
    public FakeOperationScript Fail(ProviderErrorKind kind, int times = 1, TimeSpan? retryAfter = null)
        => Enqueue(new Behavior(BehaviorKind.Fail) { Kind = kind, RetryAfter = retryAfter }, times);

    /// <summary>
    /// The next <paramref name="times"/> calls change the fake provider's state (a key is created, deleted, …) and then
    /// fail with <paramref name="kind"/>: the provider acted, but the caller cannot know.
    /// </summary>
    /// <param name="kind">The error kind.</param>
    /// <param name="times">How many calls.</param>
    /// <returns>This script.</returns>
    public FakeOperationScript FailAfterSideEffects(ProviderErrorKind kind, int times = 1)
        => Enqueue(new Behavior(BehaviorKind.Fail) { Kind = kind, AfterSideEffects = true }, times);

    /// <summary>The next <paramref name="times"/> calls throw <paramref name="exception"/>, before or after changing the fake provider's state.</summary>
    /// <param name="exception">The exception (for example an <see cref="IOException"/> standing for a crash).</param>
    /// <param name="times">How many calls.</param>
    /// <param name="afterSideEffects">Whether the state changes before the throw.</param>
    /// <returns>This script.</returns>
    public FakeOperationScript Throw(Exception exception, int times = 1, bool afterSideEffects = false)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Enqueue(new Behavior(BehaviorKind.Throw) { Exception = exception, AfterSideEffects = afterSideEffects }, times);
    }

    /// <summary>The next <paramref name="times"/> calls hang until their cancellation token fires or <see cref="ReleaseHung"/> is called (then they succeed).</summary>
    /// <param name="times">How many calls.</param>
    /// <returns>This script.</returns>
    public FakeOperationScript Hang(int times = 1) => Enqueue(new Behavior(BehaviorKind.Hang), times);

    /// <summary>Every call fails with <paramref name="kind"/> once the scripted behaviours are used up, until <see cref="Reset"/>.</summary>
    /// <param name="kind">The error kind.</param>
    /// <returns>This script.</returns>
    public FakeOperationScript FailAlways(ProviderErrorKind kind)
    {
        lock (_gate)
        {
            _always = new Behavior(BehaviorKind.Fail) { Kind = kind };
        }

        return this;
    }

    /// <summary>Every call throws <paramref name="exception"/> once the scripted behaviours are used up, until <see cref="Reset"/>.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>This script.</returns>
    public FakeOperationScript ThrowAlways(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        lock (_gate)
        {
            _always = new Behavior(BehaviorKind.Throw) { Exception = exception };
        }

        return this;
    }

    /// <summary>Forgets every scripted behaviour: calls succeed again.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _queue.Clear();
            _always = null;
        }
    }

    /// <summary>Gets how many calls are hanging now (see <see cref="Hang"/>), so a test can wait until one has arrived.</summary>
    public int HangingCalls
    {
        get
        {
            lock (_gate)
            {
                return _hung.Count;
            }
        }
    }

    /// <summary>Lets every call that is hanging now go on (and succeed).</summary>
    public void ReleaseHung()
    {
        TaskCompletionSource[] hung;
        lock (_gate)
        {
            hung = [.. _hung];
            _hung.Clear();
        }

        foreach (var waiter in hung)
        {
            waiter.TrySetResult();
        }
    }

    internal Behavior Next()
    {
        lock (_gate)
        {
            return _queue.TryDequeue(out var next) ? next : _always ?? Behavior.Success;
        }
    }

    internal async Task HangAsync(CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _hung.Add(waiter);
        }

        try
        {
            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _hung.Remove(waiter);
            }
        }
    }

    private FakeOperationScript Enqueue(Behavior behavior, int times)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        lock (_gate)
        {
            for (var i = 0; i < times; i++)
            {
                _queue.Enqueue(behavior);
            }
        }

        return this;
    }

    internal enum BehaviorKind
    {
        Succeed,
        Fail,
        Throw,
        Hang,
    }

    internal sealed record Behavior(BehaviorKind What)
    {
        public static Behavior Success { get; } = new(BehaviorKind.Succeed);

        public ProviderErrorKind Kind { get; init; }

        public TimeSpan? RetryAfter { get; init; }

        public Exception? Exception { get; init; }

        public bool AfterSideEffects { get; init; }
    }
}
