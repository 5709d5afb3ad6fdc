using IronCage.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace IronCage.HealthChecks;

/// <summary>The key store answers a read (one indexed lookup, not a listing).</summary>
internal sealed class StoreHealthCheck : IHealthCheck
{
    private static readonly KeyReference Probe = new(new ProviderId("ironcage-health"), "probe");
    private readonly IKeyStore _keys;
    private readonly ILogger<StoreHealthCheck> _logger;

    public StoreHealthCheck(IKeyStore keys, ILogger<StoreHealthCheck> logger)
    {
        _keys = keys;
        _logger = logger;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await _keys.FindAsync(Probe, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The key store ({_keys.GetType().Name}) answers.", new Dictionary<string, object> { ["store"] = _keys.GetType().Name });
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.CheckFailed(_logger, IronCageHealthCheckNames.Store, ex.GetType().Name);
            return new HealthCheckResult(context.Registration.FailureStatus, $"The key store ({_keys.GetType().Name}) does not answer: {ex.Message} Check its connection string and that the database is up.", null, new Dictionary<string, object> { ["store"] = _keys.GetType().Name, ["error"] = ex.GetType().Name });
        }
    }
}
