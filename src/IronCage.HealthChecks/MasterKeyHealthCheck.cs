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
        ManagedKey? sample = null;
        KeyVersion? version = null;
        try
        {
            await foreach (var key in _keys.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (key.Versions.FirstOrDefault(v => v.IsServable) is { } servable)
                {
                    (sample, version) = (key, servable);
                    break;
                }
            }

            if (sample is null || version is null)
            {
                return HealthCheckResult.Healthy("No stored secret to open yet; the master key is checked once a key is registered.");
            }

            using var opened = await _protector.OpenAsync(version.Secret, new SecretBinding(sample.Reference, version.VersionId), cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The master key opens the stored secret of {sample.Reference} (version {version.VersionId}, {version.DisplayHint}).", new Dictionary<string, object> { ["key"] = sample.Reference.ToString(), ["version"] = version.VersionId, ["kekId"] = version.Secret.KeyEncryptionKeyId });
        }
        catch (Exception ex) when (ex is SecretDecryptionException or KeyStateTamperedException)
        {
            Log.SecretDoesNotOpen(_logger, IronCageHealthCheckNames.MasterKey, sample?.Reference ?? default, version?.VersionId ?? string.Empty, ex.GetType().Name);
            return new HealthCheckResult(context.Registration.FailureStatus, $"The configured master key does not open the stored secrets: {ex.Message}", null, new Dictionary<string, object> { ["key"] = sample?.Reference.ToString() ?? string.Empty, ["error"] = ex.GetType().Name });
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.CheckFailed(_logger, IronCageHealthCheckNames.MasterKey, ex.GetType().Name);
            return new HealthCheckResult(context.Registration.FailureStatus, $"The master key could not be checked: {ex.Message}", null, new Dictionary<string, object> { ["error"] = ex.GetType().Name });
        }
    }
}
