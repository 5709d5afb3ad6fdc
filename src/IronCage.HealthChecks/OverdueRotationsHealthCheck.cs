using IronCage.Rotation;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NodaTime;

namespace IronCage.HealthChecks;

/// <summary>
/// No rotation is overdue: the rotation plan (<see cref="IKeyRotator.PlanAsync"/>) as of now lists nothing due. Degraded
/// when something is (manual-tier keys wait for a person; the data names each key and what is due).
/// </summary>
internal sealed class OverdueRotationsHealthCheck : IHealthCheck
{
    private const int ListedKeys = 20;
    private readonly IKeyRotator _rotator;
    private readonly IClock _clock;

    public OverdueRotationsHealthCheck(IKeyRotator rotator, IClock clock)
    {
        _rotator = rotator;
        _clock = clock;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var plan = await _rotator.PlanAsync(_clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
        var due = plan.Due.ToList();
        if (due.Count == 0)
        {
            return HealthCheckResult.Healthy("No rotation is overdue.", new Dictionary<string, object> { ["overdue"] = 0 });
        }

        var data = new Dictionary<string, object> { ["overdue"] = due.Count };
        foreach (var item in due.Take(ListedKeys))
        {
            data[item.Key.ToString()] = $"{item.Action} ({item.Tier}): {item.Detail}";
        }

        return HealthCheckResult.Degraded($"{due.Count} rotation(s) due or overdue: {string.Join(", ", due.Take(5).Select(d => d.Key))}{(due.Count > 5 ? ", …" : string.Empty)}. Rotate them (or supply their new key) from the admin API, the CLI or IKeyRotator.", data: data);
    }
}
