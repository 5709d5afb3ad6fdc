using IronCage.Rotation;

namespace IronCage.Conformance;

/// <summary>
/// A step writer that stops the host right after the first committed step write (not the one that creates the
/// operation) that <paramref name="when"/> matches: it cancels <paramref name="stop"/> and throws, so nothing after the
/// commit runs — a crash at that point, for the suites that resume on the same stores.
/// </summary>
/// <param name="inner">The real step writer.</param>
/// <param name="when">Which committed operation stops the host.</param>
/// <param name="stop">Cancelled when it stops.</param>
public sealed class StoppingRotationStepStore(IRotationStepStore inner, Func<RotationOperation, bool> when, CancellationTokenSource stop) : IRotationStepStore
{
    private bool _stopped;

    /// <inheritdoc />
    public async ValueTask<RotationStepResult> WriteAsync(RotationStepWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var result = await inner.WriteAsync(write, cancellationToken);
        if (!_stopped && when(result.Operation) && !write.CreatesOperation)
        {
            _stopped = true;
            await stop.CancelAsync();
            throw new OperationCanceledException(stop.Token);
        }

        return result;
    }
}
