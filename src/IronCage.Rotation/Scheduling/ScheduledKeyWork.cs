using IronCage.Storage;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// What the scheduler does for one key under its lease, read again from the stores (another instance may have finished
/// the key since it was found): move an unfinished operation on (resume it, finish its grace period, remind a person),
/// or start a rotation the policy says is due; then send the expiry warnings the key is owed. A key stored before the
/// store kept <see cref="ManagedKey.NextDueAt"/> is written back once, so the store computes the value.
/// </summary>
internal sealed class ScheduledKeyWork(IKeyRotator rotator, IKeyStore keys, IRotationStore operations, RotationDueEvaluator due, ScheduledNotices notices)
{
    private static readonly RotationRequest ScheduledRequest = new() { Actor = "scheduler", Note = "due by policy" };

    /// <summary>Does the work <paramref name="key"/> has at <paramref name="now"/>.</summary>
    /// <exception cref="Exception">Anything the key's row, schedule, provider or stores throw; the scheduler logs and counts it.</exception>
    public async Task RunAsync(KeyReference key, Instant now, SchedulerCounters counters, CancellationToken cancellationToken)
    {
        var managed = await keys.FindAsync(key, cancellationToken).ConfigureAwait(false);
        var active = await operations.FindActiveAsync(key, cancellationToken).ConfigureAwait(false);
        if (active is not null)
        {
            await MoveOnAsync(active, now, counters, cancellationToken).ConfigureAwait(false);
        }
        else if (managed is not null && (await due.EvaluateAsync(managed, now, cancellationToken).ConfigureAwait(false)).IsDue)
        {
            var operation = await rotator.RotateAsync(key, RotationReason.Scheduled, ScheduledRequest, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref counters.Started);
            Count(operation, counters);
            if (await notices.Reminders.SendAsync(operation, now, cancellationToken).ConfigureAwait(false))
            {
                Interlocked.Increment(ref counters.Reminders);
            }
        }

        if (managed is null)
        {
            return;
        }

        if (notices.Expiry.IsDue(managed, now) || managed.NextDueAt is null)
        {
            // Read again: the rotation above may have changed the key.
            managed = await keys.FindAsync(key, cancellationToken).ConfigureAwait(false);
        }

        if (managed is not null && notices.Expiry.IsDue(managed, now))
        {
            Interlocked.Add(ref counters.ExpiryWarnings, await notices.Expiry.WarnAsync(key, now, cancellationToken).ConfigureAwait(false));
        }
        else if (managed is { NextDueAt: null })
        {
            await WriteBackAsync(managed, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task MoveOnAsync(RotationOperation active, Instant now, SchedulerCounters counters, CancellationToken cancellationToken)
    {
        if (active.Step == RotationStep.AwaitingNewKey)
        {
            if (await notices.Reminders.SendAsync(active, now, cancellationToken).ConfigureAwait(false))
            {
                Interlocked.Increment(ref counters.Reminders);
            }

            return;
        }

        if ((active.NextAttemptAt ?? now) > now || (active.Step == RotationStep.GracePeriod && active.GraceEndsAt > now && !(active.AdoptionCheckAt <= now)))
        {
            return;
        }

        Interlocked.Increment(ref counters.Resumed);
        Count(await rotator.ResumeAsync(active.OperationId, cancellationToken).ConfigureAwait(false), counters);
    }

    private static void Count(RotationOperation operation, SchedulerCounters counters)
    {
        if (operation.Step == RotationStep.Completed)
        {
            Interlocked.Increment(ref counters.Completed);
        }
        else if (operation.Step is RotationStep.Failed or RotationStep.RevocationFailed)
        {
            Interlocked.Increment(ref counters.Failed);
        }
    }

    // A row from before the store kept NextDueAt (or one whose schedule could not be evaluated then): any write makes
    // the store compute it, after which the due query returns the key only when it is due.
    private async Task WriteBackAsync(ManagedKey managed, CancellationToken cancellationToken)
    {
        try
        {
            await keys.UpdateAsync(managed, cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            // Someone else wrote the key since it was read, and so the store computed the value.
        }
    }
}
