using IronCage.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.HealthChecks;

/// <summary>
/// No current key expires at its provider within its warning lead (the policy's, or
/// <see cref="IronCageOptions.DefaultExpiryWarningLead"/>): degraded when one does, unhealthy when one already expired.
/// A key renewed before it expires (a generated key) counts only once its renewal has failed so far
/// (<see cref="ManagedKeyDue.ExpiringSoonFrom"/>), the rule expiry warnings follow.
/// </summary>
internal sealed class ExpiringKeysHealthCheck : IHealthCheck
{
    private readonly IKeyStore _keys;
    private readonly IClock _clock;
    private readonly IronCageOptions _options;

    public ExpiringKeysHealthCheck(IKeyStore keys, IClock clock, IOptions<IronCageOptions> options)
    {
        _keys = keys;
        _clock = clock;
        _options = options.Value;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = _clock.GetCurrentInstant();
        var data = new Dictionary<string, object>();
        int expiring = 0, expired = 0;
        await foreach (var key in _keys.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (key.CurrentVersion is not { ExpiresAt: { } expiresAt } current)
            {
                continue;
            }

            if (expiresAt <= now)
            {
                expired++;
                data[key.Reference.ToString()] = $"expired at {expiresAt} ({current.DisplayHint})";
            }
            else if (ManagedKeyDue.ExpiringSoonFrom(key, current, _options.DefaultExpiryWarningLead) is { } from && from <= now)
            {
                expiring++;
                data[key.Reference.ToString()] = $"expires at {expiresAt} ({current.DisplayHint})";
            }
        }

        data["expiring"] = expiring;
        data["expired"] = expired;
        if (expired > 0)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{expired} current key(s) expired at their provider and {expiring} expire soon: rotate them now.", null, data);
        }

        return expiring > 0
            ? HealthCheckResult.Degraded($"{expiring} current key(s) expire within their warning lead: rotate them before they expire.", data: data)
            : HealthCheckResult.Healthy("No current key expires within its warning lead.", data);
    }
}
