using IronCage.Providers;
using Microsoft.Extensions.Logging;

namespace IronCage.Rotation;

/// <summary>
/// The one answer to create ambiguity: a create whose answer was lost (a crash, a timeout, a 5xx after the provider
/// acted) may have left a key at the provider under the attempt's unique name. The sweep lists the provider's keys
/// and discards every live one with that name. It runs before a create is retried and when such a rotation rolls back.
/// </summary>
internal sealed class OrphanSweep
{
    private readonly ILogger<OrphanSweep> _logger;

    public OrphanSweep(ILogger<OrphanSweep> logger) => _logger = logger;

    /// <summary>Returns <see langword="false"/> when the provider cannot list keys, so nothing could be looked for.</summary>
    public async Task<bool> SweepAsync(RotationStrategyContext context, IRotationStrategy strategy, CancellationToken cancellationToken)
    {
        if (context.Adapter is not { } adapter || !adapter.Capabilities.HasFlag(ProviderCapabilities.List))
        {
            return false;
        }

        var operation = context.Operation;
        var orphans = new List<string>();
        await foreach (var info in adapter.ListKeysAsync(context.Provider, cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(info.Name, operation.ProviderKeyName, StringComparison.Ordinal) && info.Status != ProviderKeyStatus.Deleted)
            {
                orphans.Add(info.ProviderKeyId);
            }
        }

        foreach (var orphan in orphans)
        {
            await strategy.DiscardAsync(context, orphan, cancellationToken).ConfigureAwait(false);
            Log.OrphanRemoved(_logger, operation.OperationId, operation.Key, orphan);
        }

        return true;
    }
}
