using IronCage.Providers;
using IronCage.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The hosted service that rotates keys when their policies say so. Each pass (<see cref="RunDueAsync"/>, testable on
/// its own) finds due work from the store, claims each key with a lease so two host instances never work on the same
/// key, and runs it with bounded parallelism: due rotations, unfinished ones, ended grace periods, reminders for keys a
/// person must rotate, and expiry warnings. A failing key is logged, counted, notified and retried later with back-off;
/// it never stops the host.
/// </summary>
public sealed class RotationScheduler : BackgroundService
{
    private readonly IKeyRotator _rotator;
    private readonly IKeyStore _keys;
    private readonly IRotationStore _operations;
    private readonly RotationEventPublisher _events;
    private readonly RotationDueEvaluator _due;
    private readonly IProviderCatalog _catalog;
    private readonly KeyLeaseRunner _leases;
    private readonly IClock _clock;
    private readonly RotationSchedulerOptions _options;
    private readonly RotationOptions _rotationOptions;
    private readonly IronCageOptions _ironCageOptions;
    private readonly ILogger<RotationScheduler> _logger;

    internal RotationScheduler(
        IKeyRotator rotator,
        IKeyStore keys,
        IRotationStore operations,
        RotationEventPublisher events,
        RotationDueEvaluator due,
        IProviderCatalog catalog,
        KeyLeaseRunner leases,
        IClock clock,
        IOptions<RotationSchedulerOptions> options,
        IOptions<RotationOptions> rotationOptions,
        IOptions<IronCageOptions> ironCageOptions,
        ILogger<RotationScheduler> logger)
    {
        _rotator = rotator;
        _keys = keys;
        _operations = operations;
        _events = events;
        _due = due;
        _catalog = catalog;
        _leases = leases;
        _clock = clock;
        _options = options.Value;
        _rotationOptions = rotationOptions.Value;
        _ironCageOptions = ironCageOptions.Value;
        _logger = logger;
    }

    /// <summary>Runs one pass: everything due at <paramref name="now"/>.</summary>
    /// <param name="now">The instant to run for.</param>
    /// <param name="cancellationToken">Stops the pass; unfinished rotations stay recorded and resume later.</param>
    /// <returns>What the pass did.</returns>
    public async Task<SchedulerRunResult> RunDueAsync(Instant now, CancellationToken cancellationToken = default)
    {
        var counters = new Counters();
        var plan = await _rotator.PlanAsync(now, cancellationToken).ConfigureAwait(false);
        var work = plan.Items.Where(i => i.IsDue || i.Action == PlannedAction.AwaitNewKey).ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelism, CancellationToken = cancellationToken };

        await Parallel.ForEachAsync(work, parallel, async (item, token) =>
        {
            try
            {
                await WithLeaseAsync(item.Key, now, counters, held => HandleAsync(item, now, counters, held), token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                Interlocked.Increment(ref counters.Failed);
                Log.SchedulerKeyFailed(_logger, item.Key, item.Action, ex);
            }
        }).ConfigureAwait(false);

        var keys = new List<ManagedKey>();
        await foreach (var key in _keys.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (ExpiringVersions(key, now).Any())
            {
                keys.Add(key);
            }
        }

        await Parallel.ForEachAsync(keys, parallel, async (key, token) =>
        {
            try
            {
                await WithLeaseAsync(key.Reference, now, counters, held => WarnExpiryAsync(key.Reference, now, counters, held), token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                Log.SchedulerKeyFailed(_logger, key.Reference, PlannedAction.None, ex);
            }
        }).ConfigureAwait(false);

        var result = counters.ToResult();
        Log.SchedulerPass(_logger, result.Started, result.Resumed, result.Completed, result.Failed, result.Reminders, result.ExpiryWarnings, result.Skipped);
        return result;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Start the first pass after the host has started (BackgroundService runs ExecuteAsync inside StartAsync on net8).
        await Task.Yield();
        using var timer = new PeriodicTimer(_options.Interval);
        try
        {
            do
            {
                try
                {
                    await RunDueAsync(_clock.GetCurrentInstant(), stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.SchedulerPassFailed(_logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task WithLeaseAsync(KeyReference key, Instant now, Counters counters, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        switch (await _leases.RunAsync(key, now, work, cancellationToken).ConfigureAwait(false))
        {
            case LeaseOutcome.Skipped:
                Interlocked.Increment(ref counters.Skipped);
                break;
            case LeaseOutcome.Lost:
                Interlocked.Increment(ref counters.LeasesLost);
                break;
        }
    }

    private async Task HandleAsync(PlannedRotation item, Instant now, Counters counters, CancellationToken cancellationToken)
    {
        // Read again under the lease: another instance may have finished this key since the plan was made.
        var active = await _operations.FindActiveAsync(item.Key, cancellationToken).ConfigureAwait(false);
        if (active is not null)
        {
            if (active.Step == RotationStep.AwaitingNewKey)
            {
                await RemindAsync(active, now, counters, cancellationToken).ConfigureAwait(false);
                return;
            }

            if ((active.NextAttemptAt ?? now) > now || (active.Step == RotationStep.GracePeriod && active.GraceEndsAt > now))
            {
                return;
            }

            Interlocked.Increment(ref counters.Resumed);
            Count(await _rotator.ResumeAsync(active.OperationId, cancellationToken).ConfigureAwait(false), counters);
            return;
        }

        var key = await _keys.FindAsync(item.Key, cancellationToken).ConfigureAwait(false);
        if (key is null || !(await _due.EvaluateAsync(key, now, cancellationToken).ConfigureAwait(false)).IsDue)
        {
            return;
        }

        var operation = await _rotator.RotateAsync(key.Reference, RotationReason.Scheduled, new RotationRequest { Actor = "scheduler", Note = "due by policy" }, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref counters.Started);
        Count(operation, counters);
        if (operation.Step == RotationStep.AwaitingNewKey)
        {
            await RemindAsync(operation, now, counters, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Count(RotationOperation operation, Counters counters)
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

    private async Task RemindAsync(RotationOperation operation, Instant now, Counters counters, CancellationToken cancellationToken)
    {
        if (operation.LastReminderAt is { } last && now - last < _options.ReminderInterval)
        {
            return;
        }

        var count = operation.RemindersSent + 1;
        await _operations.UpdateAsync(operation with { RemindersSent = count, LastReminderAt = now, UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
        var console = _catalog.TryGetDescriptor(operation.Key.Provider, out var descriptor) ? descriptor.ConsoleUrl : null;
        await _events.PublishAsync(new RotationOverdue { Key = operation.Key, OccurredAt = now, OperationId = operation.OperationId, DueAt = operation.RequestedAt, ReminderCount = count, ConsoleUrl = console }, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref counters.Reminders);
    }

    private IEnumerable<KeyVersion> ExpiringVersions(ManagedKey key, Instant now)
    {
        var lead = key.Policy.ExpiryWarningLead ?? _ironCageOptions.DefaultExpiryWarningLead;
        return key.Versions.Where(v => v.IsServable && v.ExpiresAt is { } expiresAt && expiresAt - lead <= now && v.ExpiryWarnedAt is null);
    }

    private async Task WarnExpiryAsync(KeyReference reference, Instant now, Counters counters, CancellationToken cancellationToken)
    {
        var key = await _keys.FindAsync(reference, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return;
        }

        var expiring = ExpiringVersions(key, now).ToList();
        if (expiring.Count == 0)
        {
            return;
        }

        var updated = expiring.Aggregate(key, (changed, version) => ManagedKeyTransitions.MarkExpiryWarned(changed, version.VersionId, now));

        // Recorded before it is sent: a warning may be lost in a crash, but never sent twice.
        await _keys.UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
        foreach (var version in expiring)
        {
            await _events.PublishAsync(new KeyExpiringSoon { Key = reference, OccurredAt = now, VersionId = version.VersionId, ExpiresAt = version.ExpiresAt!.Value }, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref counters.ExpiryWarnings);
        }
    }

    // Fields, so Interlocked can update them from parallel workers.
    private sealed class Counters
    {
        public int Started;
        public int Resumed;
        public int Completed;
        public int Failed;
        public int Reminders;
        public int ExpiryWarnings;
        public int Skipped;
        public int LeasesLost;

        public SchedulerRunResult ToResult() => new()
        {
            Started = Started,
            Resumed = Resumed,
            Completed = Completed,
            Failed = Failed,
            Reminders = Reminders,
            ExpiryWarnings = ExpiryWarnings,
            Skipped = Skipped,
            LeasesLost = LeasesLost,
        };
    }
}
