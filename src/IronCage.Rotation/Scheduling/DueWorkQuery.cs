using IronCage.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// Finds the keys a scheduler pass must work on without reading every key: the key store's due query
/// (<see cref="IKeyStore.ListDueAsync"/>: scheduled rotations and expiry warnings, from each key's stored
/// <see cref="ManagedKey.NextDueAt"/>) and the rotation store's unfinished operations (ended grace periods, steps and
/// revocations to retry, reminders owed to people). Only unfinished operations are read, never finished ones.
/// </summary>
internal sealed class DueWorkQuery(IKeyStore keys, IRotationStore operations, OverdueReminders reminders, IOptions<RotationSchedulerOptions> options, ILogger<RotationScheduler> logger)
{
    private readonly int _limit = options.Value.MaxKeysPerPass;

    /// <summary>The keys with work at <paramref name="now"/>: those with an unfinished operation that can move first, then the due keys, each once.</summary>
    /// <param name="now">The instant of the pass.</param>
    /// <param name="counters">Counts a source that could not be read (the other one is still used).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<IReadOnlyList<KeyReference>> FindAsync(Instant now, SchedulerCounters counters, CancellationToken cancellationToken)
    {
        var work = new List<KeyReference>();
        var seen = new HashSet<KeyReference>();
        try
        {
            await foreach (var operation in operations.ListActiveAsync(cancellationToken).ConfigureAwait(false))
            {
                if (CanMove(operation, now) && seen.Add(operation.Key))
                {
                    work.Add(operation.Key);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref counters.Errors);
            Log.SchedulerSourceFailed(logger, "unfinished rotation operations", ex);
        }

        try
        {
            foreach (var key in await keys.ListDueAsync(now, _limit, cancellationToken).ConfigureAwait(false))
            {
                if (seen.Add(key))
                {
                    work.Add(key);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref counters.Errors);
            Log.SchedulerSourceFailed(logger, "due keys", ex);
        }

        return work;
    }

    /// <summary>Whether the scheduler can move <paramref name="operation"/> on at <paramref name="now"/>.</summary>
    public bool CanMove(RotationOperation operation, Instant now) => operation.Step switch
    {
        RotationStep.AwaitingNewKey => reminders.IsDue(operation, now),
        RotationStep.GracePeriod => (operation.NextAttemptAt ?? now) <= now && ((operation.GraceEndsAt ?? now) <= now || operation.AdoptionCheckAt <= now),
        _ => (operation.NextAttemptAt ?? now) <= now,
    };
}
