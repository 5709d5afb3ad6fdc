using IronCage.Rotation;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NodaTime;

namespace IronCage.HealthChecks;

/// <summary>
/// The rotation scheduler of this instance ran a pass within three of its intervals. Degraded before the first pass
/// or where this instance runs no scheduler (another instance may); unhealthy when passes stopped.
/// </summary>
internal sealed class SchedulerHealthCheck : IHealthCheck
{
    private const int MissedPassesAllowed = 3;
    private readonly RotationScheduler? _scheduler;
    private readonly IClock _clock;

    public SchedulerHealthCheck(IClock clock, RotationScheduler? scheduler = null)
    {
        _clock = clock;
        _scheduler = scheduler;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_scheduler is null)
        {
            return Task.FromResult(HealthCheckResult.Degraded("No rotation scheduler runs in this host: scheduled rotations, grace periods and reminders wait for a host that calls AddRotationScheduler()."));
        }

        var interval = Duration.FromTimeSpan(_scheduler.Interval);
        if (_scheduler.LastPassAt is not { } last)
        {
            return Task.FromResult(HealthCheckResult.Degraded("The rotation scheduler has not finished a pass yet.", data: new Dictionary<string, object> { ["interval"] = interval.ToString() }));
        }

        var age = _clock.GetCurrentInstant() - last;
        var data = new Dictionary<string, object> { ["lastPassAt"] = last.ToString(), ["interval"] = interval.ToString(), ["sinceLastPass"] = age.ToString() };
        return Task.FromResult(age <= interval * MissedPassesAllowed
            ? HealthCheckResult.Healthy($"The rotation scheduler finished a pass at {last} (every {interval}).", data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"The rotation scheduler's last pass was at {last}, {age} ago (it runs every {interval}): it has stopped. Look for SchedulerPassFailed in the log.", null, data));
    }
}
