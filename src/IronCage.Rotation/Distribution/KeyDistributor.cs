using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// Runs the distribution step and its undo. The new key is opened once and handed to every target that applies to the
/// key and has not confirmed yet; each confirmation (target name and receipt) is recorded on the operation with its
/// own audit record, so a rotation stopped between two targets resumes with only the others. A failing target fails
/// the step, which the engine retries like any step (<see cref="RotationOptions.ImmediateRetries"/> at once, then
/// <see cref="RotationOptions.MaxAttempts"/> deferred rounds with back-off) before rolling the rotation back.
/// </summary>
/// <remarks>
/// An emergency (<see cref="RotationReason.Compromised"/>) calls every target at once and records all confirmations in
/// the one write that records the step: no store write or audit record sits between the first and the last target.
/// </remarks>
internal sealed class KeyDistributor
{
    private readonly IKeyDistributionTarget[] _targets;
    private readonly SecretSealer _sealer;
    private readonly OperationRecorder _recorder;
    private readonly RotationJournal _journal;
    private readonly IClock _clock;
    private readonly RotationOptions _options;

    public KeyDistributor(IEnumerable<IKeyDistributionTarget> targets, SecretSealer sealer, OperationRecorder recorder, RotationJournal journal, IClock clock, IOptions<RotationOptions> options)
    {
        _targets = [.. targets];
        _sealer = sealer;
        _recorder = recorder;
        _journal = journal;
        _clock = clock;
        _options = options.Value;
    }

    public bool HasTargets => _targets.Length > 0;

    /// <summary>The registered targets that report adoption of a new version (see <see cref="IKeyAdoptionReporter"/>).</summary>
    public IEnumerable<IKeyAdoptionReporter> AdoptionReporters => _targets.OfType<IKeyAdoptionReporter>();

    /// <summary>Verified → Distributed: writes the new version to every applicable target not yet confirmed.</summary>
    public async Task<StepOutcome> DistributeAsync(RotationOperation operation, ManagedKey key, CancellationToken cancellationToken)
    {
        var targets = _targets.Where(t => t.AppliesTo(key)).ToList();
        if (targets.Count == 0)
        {
            return new StepOutcome(operation with { Step = RotationStep.Distributed }) { Key = key };
        }

        var pending = targets.Where(t => !IsConfirmed(operation, t.Name)).ToList();
        var version = key.FindVersion(operation.NewVersionId) ?? throw new IronCageException($"Rotation {operation.OperationId}: the new version {operation.NewVersionId} is missing from the key store.");
        var audit = new List<Auditing.AuditEvent>();
        if (pending.Count > 0)
        {
            using var secret = await _sealer.OpenAsync(version, operation.Key, cancellationToken).ConfigureAwait(false);
            var distribution = new KeyDistribution { OperationId = operation.OperationId, Key = key, Version = version, Secret = secret };
            if (operation.Reason == RotationReason.Compromised)
            {
                (operation, audit) = await DistributeAtOnceAsync(operation, key, pending, distribution, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                for (var i = 0; i < pending.Count; i++)
                {
                    var confirmation = await CallAsync(pending[i], distribution, cancellationToken).ConfigureAwait(false);
                    operation = operation with { DistributedTo = [.. operation.DistributedTo, confirmation] };
                    if (i < pending.Count - 1)
                    {
                        // Recorded before the next target is called; the last one is recorded with the step itself.
                        (operation, var stored) = await _recorder.PersistAsync(new StepOutcome(operation) { Audit = [TargetRecord(operation, confirmation)] }, key, cancellationToken).ConfigureAwait(false);
                        key = stored ?? key;
                    }
                    else
                    {
                        audit.Add(TargetRecord(operation, confirmation));
                    }
                }
            }
        }

        audit.Add(_journal.StepRecord(operation, new RotationRequest { Actor = operation.RequestedBy }, "distributed", new() { ["targets"] = string.Join(",", targets.Select(t => t.Name)) }));
        return new StepOutcome(operation with { Step = RotationStep.Distributed }) { Key = key, Audit = audit };
    }

    /// <summary>
    /// Rollback before promotion: every target that confirmed the new key gets the version that stays current back.
    /// Returns what could not be restored, which targets still hold the new key and whether any of them failed
    /// transiently (worth retrying later); never throws for a target.
    /// </summary>
    public async Task<TargetRestoreResult> RestoreAsync(RotationOperation operation, ManagedKey key, CancellationToken cancellationToken)
    {
        if (operation.DistributedTo.Count == 0)
        {
            return TargetRestoreResult.None;
        }

        var problems = new List<string>();
        var stillHolding = new List<string>();
        var retryable = false;
        var previous = operation.PreviousVersionId is { } previousId ? key.FindVersion(previousId) : null;
        if (previous is null || previous.Stage == KeyStage.Revoked)
        {
            problems.Add($"the distribution targets {string.Join(", ", operation.DistributedTo.Select(c => c.Target))} still hold the discarded new key: there is no previous version to restore{(previous is null ? string.Empty : $" ({previous.VersionId} was revoked)")}");
            return new TargetRestoreResult(problems, [.. operation.DistributedTo.Select(c => c.Target)], Retryable: false);
        }

        using var secret = await _sealer.OpenAsync(previous, operation.Key, cancellationToken).ConfigureAwait(false);
        var restore = new KeyDistribution { OperationId = operation.OperationId, Key = key, Version = previous, Secret = secret };
        foreach (var confirmation in operation.DistributedTo)
        {
            var target = Array.Find(_targets, t => string.Equals(t.Name, confirmation.Target, StringComparison.Ordinal));
            if (target is null)
            {
                problems.Add($"the distribution target '{confirmation.Target}' holds the discarded new key but is no longer registered, so it was not restored");
                stillHolding.Add(confirmation.Target);
                continue;
            }

            try
            {
                await RestoreWithRetriesAsync(target, restore, cancellationToken).ConfigureAwait(false);
                await _journal.StepAsync(operation, new RotationRequest { Actor = operation.RequestedBy }, "target-restored", new() { ["target"] = target.Name, ["version"] = previous.VersionId }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StepFailures.IsStepFailure(ex, cancellationToken))
            {
                var reason = StepFailures.Describe(ex);
                Log.TargetRestoreFailed(_journal.Logger, operation.OperationId, operation.Key, target.Name, reason);
                problems.Add($"the distribution target '{target.Name}' could not be restored to version {previous.VersionId} ({reason})");
                stillHolding.Add(target.Name);
                retryable |= IsTransient(ex);
            }
        }

        return new TargetRestoreResult(problems, stillHolding, retryable);
    }

    private static bool IsConfirmed(RotationOperation operation, string target)
    {
        foreach (var confirmation in operation.DistributedTo)
        {
            if (string.Equals(confirmation.Target, target, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // Every pending target at once; the confirmations that came back are recorded even when another target failed, so
    // the retry calls only the failed ones.
    private async Task<(RotationOperation Operation, List<Auditing.AuditEvent> Audit)> DistributeAtOnceAsync(RotationOperation operation, ManagedKey key, List<IKeyDistributionTarget> pending, KeyDistribution distribution, CancellationToken cancellationToken)
    {
        var calls = pending.Select(t => CallAsync(t, distribution, cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(calls).ConfigureAwait(false);
        }
        catch (Exception) when (calls.Any(c => c.IsCompletedSuccessfully))
        {
            var partial = operation with { DistributedTo = [.. operation.DistributedTo, .. calls.Where(c => c.IsCompletedSuccessfully).Select(c => c.Result)] };
            await _recorder.PersistAsync(new StepOutcome(partial) { Audit = [.. partial.DistributedTo.Skip(operation.DistributedTo.Count).Select(c => TargetRecord(partial, c))] }, key, cancellationToken).ConfigureAwait(false);
            throw calls.First(c => c.IsFaulted || c.IsCanceled).Exception?.InnerException ?? new OperationCanceledException(cancellationToken);
        }

        var confirmed = operation with { DistributedTo = [.. operation.DistributedTo, .. calls.Select(c => c.Result)] };
        return (confirmed, [.. confirmed.DistributedTo.Skip(operation.DistributedTo.Count).Select(c => TargetRecord(confirmed, c))]);
    }

    private async Task<KeyDistributionConfirmation> CallAsync(IKeyDistributionTarget target, KeyDistribution distribution, CancellationToken cancellationToken)
    {
        var receipt = await target.DistributeAsync(distribution, cancellationToken).ConfigureAwait(false)
            ?? throw new IronCageException($"The distribution target '{target.Name}' returned no receipt; a target confirms with a KeyDistributionReceipt (KeyDistributionReceipt.Confirmed when it has no version of its own).");
        Log.TargetConfirmed(_journal.Logger, distribution.OperationId, distribution.Key.Reference, target.Name, receipt.TargetVersion, receipt.AlreadyCurrent);
        return new KeyDistributionConfirmation { Target = target.Name, TargetVersion = receipt.TargetVersion, AlreadyCurrent = receipt.AlreadyCurrent, ConfirmedAt = _clock.GetCurrentInstant() };
    }

    private async Task RestoreWithRetriesAsync(IKeyDistributionTarget target, KeyDistribution restore, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await target.RestoreAsync(restore, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (attempt < _options.ImmediateRetries && StepFailures.IsStepFailure(ex, cancellationToken) && IsTransient(ex))
            {
                await StepFailures.DelayAsync(_options, ex as ProviderRequestException, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsTransient(Exception ex) => ex is ProviderRequestException provider ? StepFailures.IsRetryable(provider.Kind) : StepFailures.IsTransportFailure(ex);

    private Auditing.AuditEvent TargetRecord(RotationOperation operation, KeyDistributionConfirmation confirmation)
    {
        var details = new Dictionary<string, string> { ["target"] = confirmation.Target, ["version"] = operation.NewVersionId };
        if (confirmation.TargetVersion is { } targetVersion)
        {
            details["targetVersion"] = targetVersion;
        }

        if (confirmation.AlreadyCurrent)
        {
            details["alreadyCurrent"] = "true";
        }

        return _journal.StepRecord(operation, new RotationRequest { Actor = operation.RequestedBy }, "distributed-to-target", details);
    }
}
