using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Usage;

/// <summary>
/// The background side of usage tracking: every flush interval, flush and evaluate alerts; every refresh interval,
/// refresh limits and other instances' usage. Stopping the host flushes one last time, so a clean shutdown loses nothing.
/// </summary>
internal sealed class UsageTrackingService : BackgroundService
{
    private readonly UsageRecorder _recorder;
    private readonly UsageAlertMonitor _monitor;
    private readonly IClock _clock;
    private readonly UsageTrackingOptions _options;
    private readonly ILogger _logger;

    public UsageTrackingService(UsageRecorder recorder, UsageAlertMonitor monitor, IClock clock, IOptions<UsageTrackingOptions> options, ILogger<UsageTrackingService> logger)
    {
        _recorder = recorder;
        _monitor = monitor;
        _clock = clock;
        _options = options.Value;
        _logger = logger;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _recorder.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.UsageFinalFlushFailed(_logger, ex.GetType().Name);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var waits = new Waits(new PeriodicTimer(_options.FlushInterval), _recorder.Cache);
        using var timer = waits.Timer;

        // The first cycle refreshes everything, so limits and other instances' usage are loaded at start.
        var refreshAt = long.MinValue;
        do
        {
            try
            {
                if (Environment.TickCount64 >= refreshAt)
                {
                    refreshAt = Environment.TickCount64 + (long)_options.RefreshInterval.TotalMilliseconds;
                    _recorder.Cache.TakeUsageChange();
                    await _recorder.RefreshAsync(stoppingToken).ConfigureAwait(false);
                }
                else if (_recorder.Cache.TakeUsageChange())
                {
                    await _recorder.RefreshRecentAsync(stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    await _recorder.FlushAsync(stoppingToken).ConfigureAwait(false);
                }

                await _monitor.EvaluateAsync(_clock.GetCurrentInstant(), stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.UsageCycleFailed(_logger, ex.GetType().Name);
            }
        }
        while (await waits.NextAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The two things a cycle waits for: the flush timer, or another instance's flush announced by a usage change feed.
    /// Each wait stays pending across cycles until it completes (a <see cref="PeriodicTimer"/> allows one waiter).
    /// </summary>
    private sealed class Waits(PeriodicTimer timer, LiveUsageCache cache)
    {
        private Task<bool>? _tick;
        private Task<bool>? _change;
        private bool _changesClosed;

        public PeriodicTimer Timer { get; } = timer;

        public async Task<bool> NextAsync(CancellationToken stoppingToken)
        {
            try
            {
                _tick ??= Timer.WaitForNextTickAsync(stoppingToken).AsTask();
                if (!_changesClosed)
                {
                    _change ??= cache.WaitForUsageChangeAsync(stoppingToken).AsTask();
                    var done = await Task.WhenAny(_tick, _change).ConfigureAwait(false);
                    if (ReferenceEquals(done, _change))
                    {
                        _change = null;

                        // A closed signal (the cache was disposed) completes false: from then on only the timer counts.
                        _changesClosed = !await done.ConfigureAwait(false);
                        return true;
                    }
                }

                var tick = _tick;
                _tick = null;
                return await tick.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }
}
