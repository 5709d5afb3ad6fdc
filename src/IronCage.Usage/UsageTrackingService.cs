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
        // Refresh every n-th cycle (the first one included, so limits are loaded at start).
        var refreshEvery = Math.Max(1, (long)Math.Ceiling(_options.RefreshInterval / _options.FlushInterval));
        long cycle = 0;
        using var timer = new PeriodicTimer(_options.FlushInterval);
        do
        {
            try
            {
                if (cycle++ % refreshEvery == 0)
                {
                    await _recorder.RefreshAsync(stoppingToken).ConfigureAwait(false);
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
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
