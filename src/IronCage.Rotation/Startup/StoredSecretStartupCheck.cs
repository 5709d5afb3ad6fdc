using IronCage.Encryption;
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
    private readonly ISecretProtector _protector;
    private readonly ILogger<StoredSecretStartupCheck> _logger;

    public StoredSecretStartupCheck(IKeyStore keys, ISecretProtector protector, ILogger<StoredSecretStartupCheck> logger)
    {
        _keys = keys;
        _protector = protector;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A wrong master key throws StoredSecretProbeException (an IronCageException naming the fix) and stops the host.
            await StoredSecretProbe.OpenFirstAsync(_keys, _protector, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not StoredSecretProbeException && ex is IronCageException or InvalidOperationException or System.Data.Common.DbException)
        {
            Log.StartupCheckSkipped(_logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
