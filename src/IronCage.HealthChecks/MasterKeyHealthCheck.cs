using IronCage.Encryption;
using IronCage.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace IronCage.HealthChecks;

/// <summary>
/// The configured master key opens a stored secret: the first servable version the store lists is opened and the
/// plaintext dropped at once. A wrong or rotated-away master key fails here before a request needs the key.
/// </summary>
internal sealed class MasterKeyHealthCheck : IHealthCheck
{
    private readonly IKeyStore _keys;
    private readonly ISecretProtector _protector;
    private readonly ILogger<MasterKeyHealthCheck> _logger;

    public MasterKeyHealthCheck(IKeyStore keys, ISecretProtector protector, ILogger<MasterKeyHealthCheck> logger)
    {
        _keys = keys;
        _protector = protector;
        _logger = logger;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var probed = await StoredSecretProbe.OpenFirstAsync(_keys, _protector, cancellationToken).ConfigureAwait(false);
            if (!probed.Opened)
            {
                return HealthCheckResult.Healthy("No stored secret to open yet; the master key is checked once a key is registered.");
            }

            return HealthCheckResult.Healthy($"The master key opens the stored secret of {probed.Key} (version {probed.VersionId}, {probed.DisplayHint}).", new Dictionary<string, object> { ["key"] = probed.Key.ToString(), ["version"] = probed.VersionId, ["kekId"] = probed.KeyEncryptionKeyId });
        }
        catch (StoredSecretProbeException ex)
        {
            Log.SecretDoesNotOpen(_logger, IronCageHealthCheckNames.MasterKey, ex.Probed.Key, ex.Probed.VersionId, ex.InnerException?.GetType().Name ?? ex.GetType().Name);
            return new HealthCheckResult(context.Registration.FailureStatus, $"The configured master key does not open the stored secrets: {ex.InnerException?.Message}", null, new Dictionary<string, object> { ["key"] = ex.Probed.Key.ToString(), ["error"] = nameof(SecretDecryptionException) });
        }
        catch (Exception ex) when (ex is SecretDecryptionException or KeyStateTamperedException)
        {
            Log.SecretDoesNotOpen(_logger, IronCageHealthCheckNames.MasterKey, default, string.Empty, ex.GetType().Name);
            return new HealthCheckResult(context.Registration.FailureStatus, $"The configured master key does not open the stored secrets: {ex.Message}", null, new Dictionary<string, object> { ["key"] = string.Empty, ["error"] = ex.GetType().Name });
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.CheckFailed(_logger, IronCageHealthCheckNames.MasterKey, ex.GetType().Name);
            return new HealthCheckResult(context.Registration.FailureStatus, $"The master key could not be checked: {ex.Message}", null, new Dictionary<string, object> { ["error"] = ex.GetType().Name });
        }
    }
}
