using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// Runs work on a key under the scheduler's lease: claims it, renews it in the background for as long as the work runs
/// (a long-running provider create can outlive one lease), and cancels the work as soon as the lease is lost, so two
/// host instances never work on the same key at once.
/// </summary>
internal sealed class KeyLeaseRunner(IRotationStore store, IClock clock, TimeProvider time, IOptions<RotationSchedulerOptions> options, ILogger<RotationScheduler> logger)
{
    private const string LeasePrefix = "rotation:";

    private readonly RotationSchedulerOptions _options = options.Value;

    /// <summary>Runs <paramref name="work"/> if the key's lease can be claimed at <paramref name="now"/>.</summary>
    /// <returns>Whether the work ran, was skipped (another instance holds the key) or was stopped because the lease was lost.</returns>
    public async Task<LeaseOutcome> RunAsync(KeyReference key, Instant now, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        var lease = await store.TryAcquireLeaseAsync(LeasePrefix + key, _options.InstanceId, _options.LeaseDuration, now, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return LeaseOutcome.Skipped;
        }

        using var held = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var done = new CancellationTokenSource();
        var keeper = KeepAsync(key, lease, held, done.Token);
        try
        {
            await work(held.Token).ConfigureAwait(false);
            return LeaseOutcome.Ran;
        }
        catch (OperationCanceledException) when (held.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return LeaseOutcome.Lost;
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false);
            var last = await keeper.ConfigureAwait(false);
            if (last is not null)
            {
                await store.ReleaseLeaseAsync(last, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    // Renews the lease until the work is done; returns the lease still held then, or null once it was lost (after
    // cancelling the work). A renewal the store cannot answer is retried until the lease would have expired.
    private async Task<RotationLease?> KeepAsync(KeyReference key, RotationLease lease, CancellationTokenSource held, CancellationToken done)
    {
        var interval = _options.LeaseRenewalInterval ?? (_options.LeaseDuration / 3).ToTimeSpan();
        while (true)
        {
            try
            {
                await Task.Delay(interval, time, done).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return lease;
            }

            var now = clock.GetCurrentInstant();
            try
            {
                var renewed = await store.RenewLeaseAsync(lease, _options.LeaseDuration, now, done).ConfigureAwait(false);
                if (renewed is not null)
                {
                    lease = renewed;
                    continue;
                }
            }
            catch (OperationCanceledException) when (done.IsCancellationRequested)
            {
                return lease;
            }
            catch (Exception ex) when (now < lease.ExpiresAt)
            {
                Log.SchedulerLeaseRenewalFailed(logger, key, lease.ExpiresAt, ex);
                continue;
            }
            catch (Exception ex)
            {
                Log.SchedulerLeaseRenewalFailed(logger, key, lease.ExpiresAt, ex);
            }

            Log.SchedulerLeaseLost(logger, key, _options.InstanceId);
            await held.CancelAsync().ConfigureAwait(false);
            return null;
        }
    }
}

/// <summary>What became of work run under a key's lease.</summary>
internal enum LeaseOutcome
{
    /// <summary>The work ran to its end under the lease.</summary>
    Ran,

    /// <summary>Another instance holds the key; the work did not start.</summary>
    Skipped,

    /// <summary>The lease was lost while the work ran, and the work was stopped.</summary>
    Lost,
}
