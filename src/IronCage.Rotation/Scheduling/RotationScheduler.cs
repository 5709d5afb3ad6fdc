using IronCage.Providers;
using IronCage.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The hosted service that rotates keys when their policies say so. Each pass (<see cref="RunDueAsync"/>, testable on
/// its own) finds due work with two store queries, never by reading every key: the key store's due query
/// (<see cref="IKeyStore.ListDueAsync"/>) and the rotation store's unfinished operations. It claims each key with a lease
/// so two host instances never work on the same key, and runs it with bounded parallelism: due rotations, unfinished
/// ones, ended grace periods, reminders for keys a person must rotate, and expiry warnings. A failing key (a row that
/// cannot be read, an unusable schedule, a provider error) is logged without secrets, counted
/// (<see cref="SchedulerRunResult.Errors"/>) and tried again on the next pass; it never stops the pass for the other
/// keys, nor the host.
/// </summary>
public sealed class RotationScheduler : BackgroundService
{
    private readonly DueWorkQuery _due;
    private readonly ScheduledKeyWork _work;
    private readonly KeyLeaseRunner _leases;
    private readonly IClock _clock;
    private readonly RotationSchedulerOptions _options;
    private readonly ILogger<RotationScheduler> _logger;
    private long _lastPassTicks = long.MinValue;

    internal RotationScheduler(DueWorkQuery due, ScheduledKeyWork work, KeyLeaseRunner leases, IClock clock, IOptions<RotationSchedulerOptions> options, ILogger<RotationScheduler> logger)
    {
        _due = due;
        _work = work;
        _leases = leases;
        _clock = clock;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Gets when the last pass of this instance finished (by the clock), or <see langword="null"/> before the first; health checks read it to tell a live scheduler from a stalled one.</summary>
    public Instant? LastPassAt => Interlocked.Read(ref _lastPassTicks) is var ticks && ticks == long.MinValue ? null : Instant.FromUnixTimeTicks(ticks);

    /// <summary>Gets how often the scheduler runs a pass (<see cref="RotationSchedulerOptions.Interval"/>).</summary>
    public TimeSpan Interval => _options.Interval;

    /// <summary>Runs one pass: everything due at <paramref name="now"/>.</summary>
    /// <param name="now">The instant to run for.</param>
    /// <param name="cancellationToken">Stops the pass; unfinished rotations stay recorded and resume later.</param>
    /// <returns>What the pass did.</returns>
    public async Task<SchedulerRunResult> RunDueAsync(Instant now, CancellationToken cancellationToken = default)
    {
        var counters = new SchedulerCounters();
        var work = await _due.FindAsync(now, counters, cancellationToken).ConfigureAwait(false);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelism, CancellationToken = cancellationToken };

        await Parallel.ForEachAsync(work, parallel, async (key, token) =>
        {
            try
            {
                switch (await _leases.RunAsync(key, now, held => _work.RunAsync(key, now, counters, held), token).ConfigureAwait(false))
                {
                    case LeaseOutcome.Skipped:
                        Interlocked.Increment(ref counters.Skipped);
                        break;
                    case LeaseOutcome.Lost:
                        Interlocked.Increment(ref counters.LeasesLost);
                        break;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                // One key's failure is its own: the pass goes on with the others.
                Interlocked.Increment(ref counters.Errors);
                Log.SchedulerKeyError(_logger, key, ex.GetType().Name, ex);
            }
        }).ConfigureAwait(false);

        var result = counters.ToResult();
        Interlocked.Exchange(ref _lastPassTicks, _clock.GetCurrentInstant().ToUnixTimeTicks());
        Log.SchedulerPass(_logger, result.Started, result.Resumed, result.Completed, result.Failed, result.Reminders, result.ExpiryWarnings, result.Skipped, result.Errors);
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
}
