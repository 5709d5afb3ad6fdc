using IronCage.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// Failure before promotion: give the distribution targets the old key back, discard the new key at the provider (by
/// id, or by the sweep when a create's answer was lost), restore an old key that was revoked first where the tier can,
/// revoke the Pending version, alert, and record the operation as Failed. The old key stays current. While a target
/// that failed transiently still holds the new key, the new key is not discarded: the rollback is deferred with the
/// step back-off (<see cref="RotationOperation.RollbackReason"/>) until the target is restored or the attempts run out.
/// </summary>
internal sealed class RotationRollback
{
    private readonly ManagedKeyWriter _keys;
    private readonly RotationStrategies _strategies;
    private readonly RotationProviders _providers;
    private readonly OrphanSweep _sweep;
    private readonly OperationRecorder _recorder;
    private readonly RotationJournal _journal;
    private readonly IClock _clock;
    private readonly FailureDescriber _describer;
    private readonly KeyDistributor _distributor;
    private readonly RotationOptions _options;

    public RotationRollback(ManagedKeyWriter keys, RotationStrategies strategies, RotationProviders providers, OrphanSweep sweep, OperationRecorder recorder, RotationJournal journal, IClock clock, FailureDescriber describer, KeyDistributor distributor, IOptions<RotationOptions> options)
    {
        _options = options.Value;
        _distributor = distributor;
        _describer = describer;
        _keys = keys;
        _strategies = strategies;
        _providers = providers;
        _sweep = sweep;
        _recorder = recorder;
        _journal = journal;
        _clock = clock;
    }

    /// <param name="operation">The operation to roll back.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the rollback.</param>
    /// <param name="mayWait">Whether a target that failed transiently may defer the rollback; an emergency superseding
    /// the operation, or a person cancelling it, rolls back at once.</param>
    public async Task<RotationOperation> RollBackAsync(RotationOperation operation, string reason, CancellationToken cancellationToken, bool mayWait = true)
    {
        var problems = new List<string>();
        var strategy = _strategies.For(operation.Tier);

        // Targets first: until they hold the old key again, their consumers use the new one that is discarded next.
        if (operation.DistributedTo.Count > 0)
        {
            var restored = await _distributor.RestoreAsync(operation, await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            var attempts = operation.Attempts + 1;
            if (mayWait && restored.Retryable && attempts < _options.MaxAttempts)
            {
                // Discarding the new key now would cut off the consumers of a target that still holds it: keep it live,
                // remember the restored targets, and try the others again later.
                var retryAt = _clock.GetCurrentInstant() + _options.BackoffFor(attempts);
                var waiting = $"{reason} Rollback waits: {string.Join("; ", restored.Problems)}. The new key stays live until every target holds the old key again; next attempt at {retryAt}.";
                var deferred = await _describer.ScrubAsync(operation, waiting, cancellationToken).ConfigureAwait(false);
                Log.RollbackDeferred(_journal.Logger, operation.OperationId, operation.Key, restored.StillHoldingNewKey.Count, attempts, retryAt);
                return await _recorder.UpdateAsync(
                    operation with
                    {
                        RollbackReason = reason,
                        DistributedTo = [.. operation.DistributedTo.Where(c => restored.StillHoldingNewKey.Contains(c.Target, StringComparer.Ordinal))],
                        Attempts = attempts,
                        NextAttemptAt = retryAt,
                        LastError = deferred,
                    },
                    cancellationToken).ConfigureAwait(false);
            }

            problems.AddRange(restored.Problems);
        }

        if (_providers.Find(operation.Key.Provider) is { } adapter)
        {
            if (operation.NewProviderKeyId is { } newKeyId)
            {
                await DiscardAsync(operation, strategy, adapter, newKeyId, problems, cancellationToken).ConfigureAwait(false);
            }
            else if (operation.CreateAttempted && strategy.CreatesNamedKeys)
            {
                await SweepAsync(operation, strategy, adapter, problems, cancellationToken).ConfigureAwait(false);
            }
        }

        if (operation.EarlyRevocation != EarlyRevocation.None && operation.PreviousVersionId is { } previousVersionId)
        {
            problems.Add(await RestorePreviousAsync(operation, strategy, previousVersionId, cancellationToken).ConfigureAwait(false));
        }

        // Scrubbed of the operation's keys while the key store still holds the new one.
        var message = await _describer.ScrubAsync(operation, problems.Count == 0 ? reason : $"{reason} Rollback: {string.Join("; ", problems)}.", cancellationToken).ConfigureAwait(false);
        var now = _clock.GetCurrentInstant();
        await _keys.UpdateAsync(operation.Key, managed => ManagedKeyTransitions.DiscardPending(managed, operation.NewVersionId, now), cancellationToken).ConfigureAwait(false);

        // Audit and alert before the operation is recorded as ended: a crash in between leaves it unfinished, so it is
        // resumed and alerts again, instead of ending with no alert at all.
        await _journal.FailedAsync(operation, message, now).ConfigureAwait(false);
        return await _recorder.PersistAsync(operation with { Step = RotationStep.Failed, LastError = message, EndedAt = now, NextAttemptAt = null, NewSecret = null, RollbackReason = null, Attempts = operation.Attempts + 1 }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Another engine moved the operation on while this one obtained <paramref name="providerKeyId"/>: nothing records
    /// that key, so remove it before giving way (unless the winner recorded the same key). A regenerated slot cannot be
    /// given back; the winner verifies what it recorded and rolls back if this regeneration replaced it.
    /// </summary>
    public async Task DiscardUnrecordedAsync(RotationOperation lost, string providerKeyId, CancellationToken cancellationToken)
    {
        var strategy = _strategies.For(lost.Tier);
        if (!strategy.CreatesNamedKeys || _providers.Find(lost.Key.Provider) is not { } adapter)
        {
            return;
        }

        var stored = await _recorder.FindAsync(lost.OperationId, cancellationToken).ConfigureAwait(false);
        if (stored is not null && string.Equals(stored.NewProviderKeyId, providerKeyId, StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            var managed = await _keys.GetAsync(lost.Key, cancellationToken).ConfigureAwait(false);
            await strategy.DiscardAsync(new RotationStrategyContext(lost, managed, adapter), providerKeyId, cancellationToken).ConfigureAwait(false);
            Log.UnrecordedKeyRemoved(_journal.Logger, lost.OperationId, lost.Key, providerKeyId);
        }
        catch (Exception ex) when (ex is ProviderRequestException or IronCageException)
        {
            Log.RollbackIncomplete(_journal.Logger, lost.OperationId, lost.Key, providerKeyId, await _describer.DescribeAsync(lost, ex, cancellationToken).ConfigureAwait(false));
        }
    }

    // Remove the new key at the provider: one IronCage created, or one a person supplied for this rotation that never
    // became current (semi-automatic: deactivated, as that provider cannot delete).
    private async Task DiscardAsync(RotationOperation operation, IRotationStrategy strategy, IProviderAdapter adapter, string newKeyId, List<string> problems, CancellationToken cancellationToken)
    {
        try
        {
            var managed = await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
            await strategy.DiscardAsync(new RotationStrategyContext(operation, managed, adapter), newKeyId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ProviderRequestException or IronCageException)
        {
            var reason = await _describer.DescribeAsync(operation, ex, cancellationToken).ConfigureAwait(false);
            Log.RollbackIncomplete(_journal.Logger, operation.OperationId, operation.Key, newKeyId, reason);
            problems.Add($"the new provider key {newKeyId} could not be removed ({reason})");
        }
    }

    // The last create call failed without an answer we could record: the provider may hold a key under the attempt's
    // name that nothing else will ever remove.
    private async Task SweepAsync(RotationOperation operation, IRotationStrategy strategy, IProviderAdapter adapter, List<string> problems, CancellationToken cancellationToken)
    {
        try
        {
            var managed = await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
            if (!await _sweep.SweepAsync(new RotationStrategyContext(operation, managed, adapter), strategy, cancellationToken).ConfigureAwait(false))
            {
                problems.Add($"the provider cannot list keys, so a key it may have created as '{operation.ProviderKeyName}' could not be looked for; check its console ({_providers.ConsoleUrl(operation.Key.Provider)})");
            }
        }
        catch (Exception ex) when (ex is ProviderRequestException or IronCageException)
        {
            var reason = await _describer.DescribeAsync(operation, ex, cancellationToken).ConfigureAwait(false);
            Log.RollbackSweepFailed(_journal.Logger, operation.OperationId, operation.Key, operation.ProviderKeyName, reason);
            problems.Add($"a key the provider may have created as '{operation.ProviderKeyName}' could not be looked for and removed ({reason})");
        }
    }

    // A revoke-first emergency revoked the old key before the new one existed, so when the new one fails the managed key
    // has nothing to serve. A tier that can restore (undelete) the old key makes it the Current version again, still
    // killed (never served), so IronCage keeps track of a key that is live at the provider and the operator's next
    // rotation retires it. Left Revoked, it would be live at the provider with nothing that ever revokes it again.
    private async Task<string> RestorePreviousAsync(RotationOperation operation, IRotationStrategy strategy, string previousVersionId, CancellationToken cancellationToken)
    {
        var noUsableVersion = $"'{operation.Key}' has no usable version until a rotation succeeds";
        var cannotRestore = $"the previous version {previousVersionId} was revoked first and cannot be restored: {noUsableVersion}";
        if (operation.PreviousProviderKeyId is not { } previousId)
        {
            return cannotRestore;
        }

        try
        {
            var managed = await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
            if (!await strategy.RestoreAsync(new RotationStrategyContext(operation, managed, _providers.Find(operation.Key.Provider)), previousId, cancellationToken).ConfigureAwait(false))
            {
                return cannotRestore;
            }
        }
        catch (Exception ex) when (ex is ProviderRequestException or IronCageException)
        {
            return $"the previous key {previousId} was revoked first and could not be undeleted ({await _describer.DescribeAsync(operation, ex, cancellationToken).ConfigureAwait(false)}): {noUsableVersion}";
        }

        await _keys.UpdateAsync(operation.Key, managed => ManagedKeyTransitions.Restore(managed, previousVersionId), cancellationToken).ConfigureAwait(false);
        return $"the previous key {previousId} was undeleted at the provider and is the Current version again, but it stays killed locally (never served) until an operator rotates the key again";
    }
}
