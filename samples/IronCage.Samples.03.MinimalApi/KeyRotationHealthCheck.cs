using System.Text.Encodings.Web;
using System.Text.Json;
using IronCage.Rotation;
using IronCage.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Samples.MinimalApi;

/// <summary>
/// Reports managed keys that need attention: a rotation that is due and not done (from <see cref="IKeyRotator.PlanAsync"/>)
/// and a current version that expires within the policy's expiry lead (from the <see cref="IKeyStore"/>). A current
/// version that has already expired is unhealthy: requests with it fail.
/// </summary>
public sealed class KeyRotationHealthCheck(IKeyRotator rotator, IKeyStore store, IClock clock, IOptions<IronCageOptions> options) : IHealthCheck
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = clock.GetCurrentInstant();
        var problems = new Dictionary<string, object>();
        var expired = false;

        var plan = await rotator.PlanAsync(now, cancellationToken);
        foreach (var item in plan.Items.Where(i => i.IsDue && i.Action is PlannedAction.Rotate or PlannedAction.Remind or PlannedAction.Resume))
        {
            problems[item.Key.ToString()] = $"rotation overdue since {item.DueAt}: {item.Detail}";
        }

        await foreach (var key in store.ListAsync(cancellationToken: cancellationToken))
        {
            if (key.CurrentVersion?.ExpiresAt is not { } expiresAt)
            {
                continue;
            }

            var lead = key.Policy.ExpiryWarningLead ?? options.Value.DefaultExpiryWarningLead;
            if (expiresAt <= now)
            {
                expired = true;
                problems[key.Reference.ToString()] = $"current version {key.CurrentVersion.DisplayHint} expired at {expiresAt}";
            }
            else if (expiresAt - now <= lead)
            {
                problems[key.Reference.ToString()] = $"current version {key.CurrentVersion.DisplayHint} expires at {expiresAt}, within {lead.TotalDays:0.#} days";
            }
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy("Every managed key is current.")
            : new HealthCheckResult(expired ? HealthStatus.Unhealthy : HealthStatus.Degraded, $"{problems.Count} managed key(s) need attention.", data: problems);
    }

    /// <summary>Writes the report as compact JSON: status, and per check its description and data.</summary>
    public static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}
