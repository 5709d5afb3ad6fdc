using System.Globalization;
using IronCage.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The persisted step machine: every step is recorded before the next begins, so an engine started on the same store
/// resumes an unfinished operation where it stopped. It retries failed steps (at once, then with back-off), rolls back
/// any failure before promotion and records a revocation that keeps failing after it. It knows nothing of tiers: what
/// differs per tier is behind <see cref="IRotationStrategy"/>.
/// </summary>
internal sealed class RotationEngine
{
    private readonly OperationRecorder _recorder;
    private readonly NewKeySteps _newKey;
    private readonly RetirementSteps _retirement;
    private readonly RotationRollback _rollback;
    private readonly ManagedKeyWriter _keys;
    private readonly RotationJournal _journal;
    private readonly RotationOptions _options;
    private readonly IClock _clock;
    private readonly FailureDescriber _describer;
    private readonly AdoptionGate _adoption;

    public RotationEngine(OperationRecorder recorder, NewKeySteps newKey, RetirementSteps retirement, RotationRollback rollback, ManagedKeyWriter keys, RotationJournal journal, IOptions<RotationOptions> options, IClock clock, FailureDescriber describer, AdoptionGate adoption)
    {
        _adoption = adoption;
        _describer = describer;
        _recorder = recorder;
        _newKey = newKey;
        _retirement = retirement;
        _rollback = rollback;
        _keys = keys;
        _journal = journal;
        _options = options.Value;
        _clock = clock;
    }

    public RetirementSteps Retirement => _retirement;

    public NewKeySteps NewKey => _newKey;

    public RotationRollback Rollback => _rollback;

    public static bool IsPromoted(RotationOperation operation) => operation.Step is RotationStep.Promoted or RotationStep.GracePeriod or RotationStep.PreviousRevoked;

    public async Task<RotationOperation> StartAsync(ManagedKey managed, RotationTier tier, RotationReason reason, RotationOperationKind kind, RotationRequest request, RotationStep firstStep, CancellationToken cancellationToken)
    {
        var now = _clock.GetCurrentInstant();
        var current = managed.CurrentVersion;
        var operationId = RotationOperation.NewOperationId();
        var operation = new RotationOperation
        {
            OperationId = operationId,
            Key = managed.Reference,
            Reason = reason,
            Kind = kind,
            Tier = tier,
            Step = firstStep,
            RequestedBy = request.Actor,
            RequestedAt = now,
            UpdatedAt = now,
            Note = request.Note,
            GracePeriodOverride = request.GracePeriod,
            PreviousVersionId = current?.VersionId,
            PreviousProviderKeyId = current?.ProviderKeyId,
            NewVersionId = KeyVersion.NewVersionId(),
            ProviderKeyName = $"ironcage-{managed.Reference.Name}-{now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}-{operationId[4..12]}",
        };
        var stored = await _recorder.CreateAsync(operation, [_journal.StartedRecord(operation, request)], cancellationToken).ConfigureAwait(false);
        await _journal.StartedAsync(stored, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    public Task<RotationOperation> RunAsync(RotationOperation operation, CancellationToken cancellationToken) => RunAsync(operation, null, cancellationToken);

    /// <summary>
    /// Runs <paramref name="operation"/> until it finishes or has to wait. <paramref name="known"/> is a copy of the key
    /// the caller just read, if any: steps read the key once and then work on the copy each write returns (a stale copy
    /// costs one refused write, never a wrong one: every key write is checked against the key's concurrency token).
    /// </summary>
    public async Task<RotationOperation> RunAsync(RotationOperation operation, ManagedKey? known, CancellationToken cancellationToken)
    {
        while (!operation.IsFinished)
        {
            var now = _clock.GetCurrentInstant();
            if (operation.NextAttemptAt is { } retryAt && retryAt > now)
            {
                return operation;
            }

            if (operation.Step == RotationStep.AwaitingNewKey)
            {
                return operation;
            }

            if (operation.Step == RotationStep.GracePeriod && operation.AdoptionNotBefore is not null && operation.Adoption is not { MayRevoke: true })
            {
                // Waiting for adoption: before the ceiling only a check that finds everyone moved lets revocation go
                // ahead; at the ceiling one last check records that it goes ahead anyway.
                if (operation.GraceEndsAt > now && (operation.AdoptionCheckAt ?? now) > now)
                {
                    return operation;
                }

                (operation, var mayRevoke) = await _adoption.CheckAsync(operation, cancellationToken).ConfigureAwait(false);
                if (!mayRevoke)
                {
                    return operation;
                }
            }
            else if (operation.Step == RotationStep.GracePeriod && operation.GraceEndsAt > now)
            {
                return operation;
            }

            // A rollback that waited for a distribution target continues as a rollback, never as its step.
            if (operation.RollbackReason is { } rollingBack)
            {
                operation = await _rollback.RollBackAsync(operation, rollingBack, cancellationToken).ConfigureAwait(false);
                known = null;
                continue;
            }

            // A failed step comes back with NextAttemptAt set: the check above then hands it to the scheduler or
            // ResumeAsync, or (with no back-off) retries it until MaxAttempts ends the operation.
            (operation, known) = await RunStepAsync(operation, known, cancellationToken).ConfigureAwait(false);
        }

        return operation;
    }

    // An emergency never waits for an ordinary rotation: one not yet promoted is rolled back, one in its grace period
    // is finished at once (its old key revoked), then the emergency starts.
    public async Task SupersedeActiveAsync(KeyReference key, RotationRequest request, CancellationToken cancellationToken)
    {
        var active = await _recorder.FindActiveAsync(key, cancellationToken).ConfigureAwait(false);
        if (active is null)
        {
            return;
        }

        if (!await IsAfterPromotionAsync(active, cancellationToken).ConfigureAwait(false))
        {
            await _rollback.RollBackAsync(active, $"Superseded by an emergency requested by {request.Actor}.", cancellationToken, mayWait: false).ConfigureAwait(false);
            return;
        }

        var now = _clock.GetCurrentInstant();
        active = await _recorder.UpdateAsync(active with { GraceEndsAt = active.GraceEndsAt is { } ends && ends > now ? now : active.GraceEndsAt, NextAttemptAt = null }, cancellationToken).ConfigureAwait(false);
        var finished = await RunAsync(active, cancellationToken).ConfigureAwait(false);
        if (!finished.IsFinished)
        {
            throw new RotationConflictException(key, finished.OperationId, finished.Step);
        }
    }

    /// <summary>Whether the new key may already be current. Promotion may reach the key store before the operation records it: trust the store, never roll back a Current key.</summary>
    public async Task<bool> IsAfterPromotionAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        if (IsPromoted(operation))
        {
            return true;
        }

        var managed = await _keys.FindAsync(operation.Key, cancellationToken).ConfigureAwait(false);
        return managed?.FindVersion(operation.NewVersionId) is { Stage: KeyStage.Current };
    }

    private async Task<(RotationOperation Operation, ManagedKey? Key)> RunStepAsync(RotationOperation operation, ManagedKey? known, CancellationToken cancellationToken)
    {
        for (var immediate = 0; ; immediate++)
        {
            RotationOperation? next = null;
            try
            {
                var outcome = await NextStepAsync(operation, known, cancellationToken).ConfigureAwait(false);
                next = outcome.Operation;
                try
                {
                    return await _recorder.PersistAsync(outcome with { Operation = next with { Attempts = 0, NextAttemptAt = null, LastError = next.Step == RotationStep.RevocationFailed ? next.LastError : null } }, known, cancellationToken).ConfigureAwait(false);
                }
                catch (RotationConflictException) when (operation.Step == RotationStep.Requested && next?.NewProviderKeyId is { } obtained)
                {
                    await _rollback.DiscardUnrecordedAsync(next, obtained, cancellationToken).ConfigureAwait(false);
                    throw;
                }
            }
            catch (Exception ex) when (StepFailures.IsStepFailure(ex, cancellationToken))
            {
                // A step may have recorded progress before it failed (CreateAttempted): continue from the stored copy,
                // and read the key again.
                known = null;
                operation = await _recorder.FindAsync(operation.OperationId, cancellationToken).ConfigureAwait(false) ?? operation;
                var retryable = ex is ProviderRequestException provider
                    ? StepFailures.IsRetryable(provider.Kind) || IsPropagationDelay(operation, provider)
                    : StepFailures.IsTransportFailure(ex);
                if (retryable && immediate < _options.ImmediateRetries)
                {
                    await StepFailures.DelayAsync(_options, ex as ProviderRequestException, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                return (await HandleFailureAsync(operation, ex, retryable, cancellationToken).ConfigureAwait(false), null);
            }
        }
    }

    private async Task<StepOutcome> NextStepAsync(RotationOperation operation, ManagedKey? known, CancellationToken cancellationToken) => operation.Step switch
    {
        RotationStep.Requested when operation.RevokesFirst && operation.EarlyRevocation == EarlyRevocation.None => await _retirement.RevokePreviousEarlyAsync(operation, known, cancellationToken).ConfigureAwait(false),
        RotationStep.Requested when operation.Kind == RotationOperationKind.Revocation && operation.EarlyRevocation == EarlyRevocation.Failed => operation with { Step = RotationStep.RevocationFailed, EndedAt = _clock.GetCurrentInstant() },
        RotationStep.Requested when operation.Kind == RotationOperationKind.Revocation => operation with { Step = RotationStep.PreviousRevoked },
        RotationStep.Requested => await _newKey.ObtainAsync(operation, known, cancellationToken).ConfigureAwait(false),
        RotationStep.CreatedAtProvider => _newKey.StorePending(operation),
        RotationStep.StoredPending => await _newKey.VerifyAsync(operation, known, cancellationToken).ConfigureAwait(false),
        RotationStep.Verified => await _newKey.DistributeAsync(operation, known, cancellationToken).ConfigureAwait(false),
        RotationStep.Distributed => _retirement.Promote(operation),
        RotationStep.Promoted => await _retirement.StartGraceAsync(operation, known, cancellationToken).ConfigureAwait(false),
        RotationStep.GracePeriod => await _retirement.RevokePreviousAsync(operation, known, cancellationToken).ConfigureAwait(false),
        RotationStep.PreviousRevoked => await _retirement.CompleteAsync(operation).ConfigureAwait(false),
        _ => throw new InvalidOperationException($"Rotation {operation.OperationId} cannot run from {operation.Step}."),
    };

    private bool IsPropagationDelay(RotationOperation operation, ProviderRequestException failure)
        => operation.Step == RotationStep.StoredPending && failure.Kind == ProviderErrorKind.InvalidKey && operation.Attempts + 1 < _options.VerifyPropagationAttempts;

    private async Task<RotationOperation> HandleFailureAsync(RotationOperation operation, Exception failure, bool retryable, CancellationToken cancellationToken)
    {
        var reason = await _describer.DescribeAsync(operation, failure, cancellationToken).ConfigureAwait(false);
        var attempts = operation.Attempts + 1;
        var afterPromotion = await IsAfterPromotionAsync(operation, cancellationToken).ConfigureAwait(false);

        // Provider errors while revoking are retried with back-off (permissions get fixed, outages end); anything else
        // after promotion (no provider-side id, a broken adapter) will not get better by waiting.
        if ((retryable || (afterPromotion && failure is ProviderRequestException)) && attempts < _options.MaxAttempts)
        {
            var retryAt = _clock.GetCurrentInstant() + _options.BackoffFor(attempts);
            Log.StepDeferred(_journal.Logger, operation.OperationId, operation.Key, operation.Step, attempts, retryAt, reason);
            return await _recorder.UpdateAsync(operation with { Attempts = attempts, NextAttemptAt = retryAt, LastError = reason }, cancellationToken).ConfigureAwait(false);
        }

        if (!afterPromotion)
        {
            return await _rollback.RollBackAsync(operation, reason, cancellationToken).ConfigureAwait(false);
        }

        // Alert first: once RevocationFailed is recorded nothing resumes the operation, so a crash right after recording
        // it must not be able to swallow the only alert that a live key needs revoking by hand.
        if (operation.PreviousVersionId is { } previous)
        {
            await _retirement.MarkRevocationFailedAsync(operation.Key, previous, cancellationToken).ConfigureAwait(false);
        }

        await _journal.RevocationFailedAsync(operation, operation.PreviousVersionId, attempts, reason, _retirement.ConsoleUri(operation.Key.Provider), cancellationToken).ConfigureAwait(false);
        return await _recorder.PersistAsync(operation with { Step = RotationStep.RevocationFailed, Attempts = attempts, LastError = reason, EndedAt = _clock.GetCurrentInstant(), NextAttemptAt = null }, cancellationToken).ConfigureAwait(false);
    }
}
