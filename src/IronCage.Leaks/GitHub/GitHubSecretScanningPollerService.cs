using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage.Leaks.GitHub;

/// <summary>Runs the <see cref="GitHubSecretScanningPoller"/> every poll interval while an organisation or repositories are configured.</summary>
internal sealed class GitHubSecretScanningPollerService(GitHubSecretScanningPoller poller, IOptions<GitHubSecretScanningOptions> options, ILogger<GitHubSecretScanningPoller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.Organization) && settings.Repositories.Count == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(settings.PollInterval);
        do
        {
            try
            {
                await poller.PollAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IronCageException or HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                Log.GitHubPollFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
