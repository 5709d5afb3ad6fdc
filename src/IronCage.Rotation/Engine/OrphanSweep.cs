using IronCage.Providers;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The one answer to create ambiguity: a create whose answer was lost (a crash, a timeout, a 5xx after the provider
/// acted) may have left a live key at the provider that nothing tracks. The sweep lists the provider's keys and discards
/// every live one the lost create may have made. It runs before a create is retried and when such a rotation rolls back.
/// </summary>
/// <remarks>
/// A key is the lost create's when it carries the attempt's unique name. A provider whose keys carry no name
/// (<see cref="ProviderDescriptor.CreateSetsKeyName"/> is <see langword="false"/>: Amazon Bedrock) is swept by creation
/// time instead: a live key in the managed key's scope that no version of the managed key holds, created since the
/// rotation was requested, less <see cref="ClockSkewAllowance"/> for a provider clock that runs behind the host's.
/// </remarks>
internal sealed class OrphanSweep
{
    /// <summary>
    /// How far the provider's creation stamps may lag the host's clock. AWS refuses a SigV4-signed request whose time is
    /// more than five minutes off its own, so a host that could call IAM at all is within this of IAM's clock.
    /// </summary>
    internal static readonly Duration ClockSkewAllowance = Duration.FromMinutes(5);

    private readonly RotationProviders _providers;
    private readonly ILogger<OrphanSweep> _logger;

    public OrphanSweep(RotationProviders providers, ILogger<OrphanSweep> logger)
    {
        _providers = providers;
        _logger = logger;
    }

    /// <summary>Returns <see langword="false"/> when the provider cannot list keys, so nothing could be looked for.</summary>
    public async Task<bool> SweepAsync(RotationStrategyContext context, IRotationStrategy strategy, CancellationToken cancellationToken)
    {
        if (context.Adapter is not { } adapter || !adapter.Capabilities.HasFlag(ProviderCapabilities.List))
        {
            return false;
        }

        var operation = context.Operation;
        var byName = _providers.CreateSetsKeyName(operation.Key.Provider);
        var orphans = new List<string>();
        await foreach (var info in adapter.ListKeysAsync(context.Provider, cancellationToken).ConfigureAwait(false))
        {
            if (byName ? IsNamedOrphan(info, operation) : IsUnnamedOrphan(info, operation, context.Key))
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

    private static bool IsNamedOrphan(ProviderKeyInfo info, RotationOperation operation)
        => string.Equals(info.Name, operation.ProviderKeyName, StringComparison.Ordinal) && info.Status != ProviderKeyStatus.Deleted;

    // A key without a creation stamp, or one some version holds (the current key, a pending one the rollback discards on
    // its own), is never taken for an orphan.
    private static bool IsUnnamedOrphan(ProviderKeyInfo info, RotationOperation operation, ManagedKey managed)
        => info.Status == ProviderKeyStatus.Active
            && info.CreatedAt is { } created
            && created >= operation.RequestedAt - ClockSkewAllowance
            && !string.Equals(info.ProviderKeyId, operation.PreviousProviderKeyId, StringComparison.Ordinal)
            && !managed.Versions.Any(v => string.Equals(v.ProviderKeyId, info.ProviderKeyId, StringComparison.Ordinal));
}
