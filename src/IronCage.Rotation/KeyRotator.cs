using IronCage.Auditing;
using IronCage.Providers;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The public face of rotation (<see cref="IKeyRotator"/>): checks what callers ask for and hands it to the engine.
/// The engine (<see cref="RotationEngine"/>) runs the persisted steps; one strategy per tier
/// (<see cref="IRotationStrategy"/>) says how a key is obtained, discarded, retired and restored; the journal
/// (<see cref="RotationJournal"/>) writes audit records, events and metrics.
/// </summary>
internal sealed class KeyRotator : IKeyRotator
{
    private readonly RotationEngine _engine;
    private readonly SuppliedKeyIntake _intake;
    private readonly KeyRegistrar _registrar;
    private readonly RotationPlanner _planner;
    private readonly OperationRecorder _operations;
    private readonly ManagedKeyWriter _keys;
    private readonly RotationProviders _providers;
    private readonly RotationJournal _journal;
    private readonly KeySettingsEditor _settings;
    private readonly IClock _clock;

    public KeyRotator(RotationEngine engine, SuppliedKeyIntake intake, KeyRegistrar registrar, RotationPlanner planner, OperationRecorder operations, ManagedKeyWriter keys, RotationProviders providers, RotationJournal journal, KeySettingsEditor settings, IClock clock)
    {
        _settings = settings;
        _engine = engine;
        _intake = intake;
        _registrar = registrar;
        _planner = planner;
        _operations = operations;
        _keys = keys;
        _providers = providers;
        _journal = journal;
        _clock = clock;
    }

    public Task<ManagedKey> RegisterAsync(KeyRegistration registration, SecretValue secret, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(secret);
        return _registrar.RegisterAsync(registration, secret, request ?? new RotationRequest(), cancellationToken);
    }

    public Task<ManagedKey> RegisterGeneratedAsync(KeyRegistration registration, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return _registrar.RegisterGeneratedAsync(registration, request ?? new RotationRequest(), cancellationToken);
    }

    public async Task<RotationOperation> RotateAsync(KeyReference key, RotationReason reason, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        request ??= new RotationRequest();
        if (request.RevokeFirst && reason != RotationReason.Compromised)
        {
            throw new ArgumentException("RevokeFirst stops service until the new key is in place: it is only allowed for RotationReason.Compromised.", nameof(request));
        }

        if (request.GracePeriod is { } grace && (grace < Duration.Zero || grace > IronCageConstants.MaxGracePeriod))
        {
            throw new RotationPolicyException($"The requested grace period {grace} is out of range: use 0 to 30 days.");
        }

        if (reason == RotationReason.Compromised)
        {
            await _engine.SupersedeActiveAsync(key, request, cancellationToken).ConfigureAwait(false);
        }

        var managed = await _keys.GetAsync(key, cancellationToken).ConfigureAwait(false);
        var tier = _providers.TierOf(key.Provider);
        if (_providers.MissingAdapterFix(key.Provider) is { } fix)
        {
            Log.AdapterMissing(_journal.Logger, key, fix);
        }

        var awaitsPerson = _engine.NewKey.AwaitsSuppliedKey(tier);
        var kind = request.RevokeFirst ? RotationOperationKind.RevokeFirstRotation : RotationOperationKind.Rotation;
        var operation = await _engine.StartAsync(managed, tier, reason, kind, request, awaitsPerson ? RotationStep.AwaitingNewKey : RotationStep.Requested, cancellationToken).ConfigureAwait(false);
        if (awaitsPerson && request.RevokeFirst)
        {
            operation = await _engine.Retirement.RevokePreviousEarlyAsync(operation, cancellationToken).ConfigureAwait(false);
        }

        return await _engine.RunAsync(operation, request.RevokeFirst ? null : managed, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RotationOperation> RevokeAsync(KeyReference key, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        request ??= new RotationRequest();
        await _engine.SupersedeActiveAsync(key, request, cancellationToken).ConfigureAwait(false);
        var managed = await _keys.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (managed.CurrentVersion is null)
        {
            throw new IronCageException($"Managed key '{key}' has no current version to revoke.");
        }

        var operation = await _engine.StartAsync(managed, _providers.TierOf(key.Provider), RotationReason.Compromised, RotationOperationKind.Revocation, request, RotationStep.Requested, cancellationToken).ConfigureAwait(false);
        return await _engine.RunAsync(operation, managed, cancellationToken).ConfigureAwait(false);
    }

    public Task<RotationOperation> SupplyNewKeyAsync(KeyReference key, SecretValue newKey, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newKey);
        return _intake.AcceptAsync(key, newKey, request ?? new RotationRequest(), RotationTier.SemiAutomatic, cancellationToken);
    }

    public Task<RotationOperation> RecordManualRotationAsync(KeyReference key, SecretValue newKey, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newKey);
        return _intake.AcceptAsync(key, newKey, request ?? new RotationRequest(), RotationTier.Manual, cancellationToken);
    }

    public async Task<RotationOperation> CompleteGraceAsync(KeyReference key, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        request ??= new RotationRequest();
        var operation = await _operations.FindActiveAsync(key, cancellationToken).ConfigureAwait(false);
        if (operation is not { Step: RotationStep.GracePeriod })
        {
            throw new IronCageException($"Managed key '{key}' has no rotation in its grace period{(operation is null ? string.Empty : $" (rotation {operation.OperationId} is at {operation.Step})")}.");
        }

        var now = _clock.GetCurrentInstant();
        if (operation.GraceEndsAt > now || operation.NextAttemptAt > now)
        {
            operation = await _operations.UpdateAsync(operation with { GraceEndsAt = operation.GraceEndsAt > now ? now : operation.GraceEndsAt, NextAttemptAt = null }, cancellationToken).ConfigureAwait(false);
            await _journal.StepAsync(operation, request, "grace-completed-early", null, cancellationToken).ConfigureAwait(false);
        }

        return await _engine.RunAsync(operation, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RotationOperation> CancelAsync(KeyReference key, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        request ??= new RotationRequest();
        var active = await _operations.FindActiveAsync(key, cancellationToken).ConfigureAwait(false)
            ?? throw new IronCageException($"Managed key '{key}' has no rotation under way to cancel.");
        if (await _engine.IsAfterPromotionAsync(active, cancellationToken).ConfigureAwait(false))
        {
            throw new IronCageException($"Rotation {active.OperationId} of '{key}' already promoted its new key; it cannot be cancelled. End its grace period with CompleteGraceAsync instead.");
        }

        return await _engine.Rollback.RollBackAsync(active, $"Cancelled by {request.Actor}{(request.Note is null ? "." : ": " + request.Note)}", cancellationToken, mayWait: false).ConfigureAwait(false);
    }

    public async Task<RotationOperation?> GetOperationAsync(string operationId, CancellationToken cancellationToken = default)
        => await _operations.FindAsync(operationId, cancellationToken).ConfigureAwait(false);

    public async Task<RotationOperation> ResumeAsync(string operationId, CancellationToken cancellationToken = default)
    {
        var operation = await _operations.FindAsync(operationId, cancellationToken).ConfigureAwait(false)
            ?? throw new IronCageException($"Rotation operation '{operationId}' does not exist.");
        return await _engine.RunAsync(operation, cancellationToken).ConfigureAwait(false);
    }

    public Task<RotationPlan> PlanAsync(Instant now, CancellationToken cancellationToken = default) => _planner.PlanAsync(now, cancellationToken);

    public async Task<ManagedKey> KillAsync(KeyReference key, string versionId, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(versionId);
        var killed = await _engine.Retirement.KillAsync(key, versionId, cancellationToken).ConfigureAwait(false);
        await _journal.AuditAsync(AuditAction.KeyKill, key, request ?? new RotationRequest(), AuditOutcome.Success, new() { ["version"] = versionId }, cancellationToken).ConfigureAwait(false);
        return killed;
    }

    public Task<ManagedKey> ChangePolicyAsync(KeyReference key, RotationPolicy? policy, RotationRequest? request = null, CancellationToken cancellationToken = default)
        => _settings.ChangePolicyAsync(key, policy ?? RotationPolicy.Default, request ?? new RotationRequest(), cancellationToken);

    public Task<ManagedKey> ChangeLimitsAsync(KeyReference key, UsageLimits? limits, RotationRequest? request = null, CancellationToken cancellationToken = default)
        => _settings.ChangeLimitsAsync(key, limits ?? UsageLimits.None, request ?? new RotationRequest(), cancellationToken);
}
