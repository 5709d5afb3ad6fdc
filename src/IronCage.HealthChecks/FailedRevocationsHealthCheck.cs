using IronCage.Providers;
using IronCage.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IronCage.HealthChecks;

/// <summary>
/// No old key that IronCage failed to revoke is still live at its provider (a version marked
/// <see cref="KeyVersion.RevocationFailedAt"/> and never revoked). Unhealthy when one is: the data gives the key, the
/// version's hint and the provider's console, where a person revokes it by hand.
/// </summary>
internal sealed class FailedRevocationsHealthCheck : IHealthCheck
{
    private readonly IKeyStore _keys;
    private readonly IProviderCatalog _catalog;

    public FailedRevocationsHealthCheck(IKeyStore keys, IProviderCatalog catalog)
    {
        _keys = keys;
        _catalog = catalog;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>();
        var failed = 0;
        await foreach (var key in _keys.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            foreach (var version in key.Versions.Where(v => v.RevocationFailedAt is not null && v.RevokedAt is null))
            {
                failed++;
                var console = _catalog.TryGetDescriptor(key.Provider, out var descriptor) ? descriptor.ConsoleUrl : null;
                data[$"{key.Reference}#{version.VersionId}"] = $"{version.DisplayHint}: revocation failed at {version.RevocationFailedAt}; revoke it at {console?.ToString() ?? "the provider's console"}";
            }
        }

        data["failed"] = failed;
        return failed == 0
            ? HealthCheckResult.Healthy("Every old key IronCage retired was revoked at its provider.", data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"{failed} old key version(s) could not be revoked and may still work at the provider: revoke them in the provider's console.", null, data);
    }
}
