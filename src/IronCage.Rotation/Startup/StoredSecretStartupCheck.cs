using IronCage.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IronCage.Rotation;

/// <summary>
/// At start, opens one stored secret (the current version of the first managed key) with the configured master key,
/// so a wrong master key for an existing store stops the host with the fix named, instead of starting "healthy" and
/// failing every resolve and rotation. A store that cannot be read yet (not migrated, unreachable) is not this check's
/// business: it is logged and the host starts, and the store's own start-up reports it.
/// </summary>
internal sealed class StoredSecretStartupCheck : IHostedService
{
    private readonly IKeyStore _keys;
    private readonly SecretSealer _sealer;
    private readonly ILogger<StoredSecretStartupCheck> _logger;

    public StoredSecretStartupCheck(IKeyStore keys, SecretSealer sealer, ILogger<StoredSecretStartupCheck> logger)
    {
        _keys = keys;
        _sealer = sealer;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ManagedKey? sample = null;
        try
        {
            await foreach (var key in _keys.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (key.CurrentVersion is not null)
                {
                    sample = key;
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IronCageException or InvalidOperationException or System.Data.Common.DbException)
        {
            Log.StartupCheckSkipped(_logger, ex);
            return;
        }

        if (sample?.CurrentVersion is not { } version)
        {
            return;
        }

        try
        {
            using var opened = await _sealer.OpenAsync(version, sample.Reference, cancellationToken).ConfigureAwait(false);
        }
        catch (SecretDecryptionException ex)
        {
            throw new IronCageException(
                $"The configured master key does not open the secrets already in the key store (version {version.VersionId} of '{sample.Reference}'): {ex.Message} Configure the master key that sealed them (ProtectKeysWithMasterKey, IRONCAGE_MASTER_KEY or the key file); after a master-key rotation, add the old key to LocalMasterKeyOptions.RetiredMasterKeys.",
                ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
