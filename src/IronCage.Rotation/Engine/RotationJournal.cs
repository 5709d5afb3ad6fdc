using IronCage.Auditing;
using IronCage.Telemetry;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// What the rotation flow tells the world, in one place: audit records, rotation events and metrics (and the log
/// lines that go with them). Never a secret: events and records carry version ids and display hints only.
/// </summary>
internal sealed class RotationJournal
{
    private readonly IAuditLog _audit;
    private readonly RotationEventPublisher _events;
    private readonly IClock _clock;
    private readonly ILogger<RotationJournal> _logger;

    public RotationJournal(IAuditLog audit, RotationEventPublisher events, IClock clock, ILogger<RotationJournal> logger)
    {
        _audit = audit;
        _events = events;
        _clock = clock;
        _logger = logger;
    }

    public ILogger Logger => _logger;

    /// <summary>The audit record of a start, written with the new operation.</summary>
    public AuditEvent StartedRecord(RotationOperation operation, RotationRequest request)
        => Event(ActionOf(operation), operation.Key, request, AuditOutcome.Success, new() { ["operation"] = operation.OperationId, ["step"] = "started", ["reason"] = operation.Reason.ToString(), ["tier"] = operation.Tier.ToString() });

    /// <summary>Announces a start once the operation (and its audit record) is stored.</summary>
    public ValueTask StartedAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        Log.RotationStarted(_logger, operation.OperationId, operation.Key, operation.Reason, operation.Tier);
        return _events.PublishAsync(new RotationStarted { Key = operation.Key, OccurredAt = operation.RequestedAt, OperationId = operation.OperationId, Reason = operation.Reason, Tier = operation.Tier }, cancellationToken);
    }

    public Task StepAsync(RotationOperation operation, RotationRequest request, string step, Dictionary<string, string>? details, CancellationToken cancellationToken)
        => _audit.AppendAsync(StepRecord(operation, request, step, details), cancellationToken).AsTask();

    /// <summary>The audit record of a step, for writing with the step.</summary>
    public AuditEvent StepRecord(RotationOperation operation, RotationRequest request, string step, Dictionary<string, string>? details)
    {
        var all = details ?? [];
        all["operation"] = operation.OperationId;
        all["step"] = step;
        return Event(AuditAction.KeyRotate, operation.Key, request, AuditOutcome.Success, all);
    }

    /// <summary>
    /// Announces a completion (log, metrics, event) and returns its audit record, which is written with the completed
    /// operation: a crash before that write resumes and announces again rather than never.
    /// </summary>
    public async Task<AuditEvent> CompletedAsync(RotationOperation operation, Instant now)
    {
        Record(operation, now, IronCageTelemetry.SuccessOutcome);
        var revocation = operation.Kind == RotationOperationKind.Revocation;
        if (!revocation)
        {
            Log.RotationCompleted(_logger, operation.OperationId, operation.Key, operation.NewVersionId, operation.NewDisplayHint);
            await _events.PublishAsync(new RotationCompleted { Key = operation.Key, OccurredAt = now, OperationId = operation.OperationId, VersionId = operation.NewVersionId, DisplayHint = operation.NewDisplayHint }, CancellationToken.None).ConfigureAwait(false);
        }

        return Event(ActionOf(operation), operation.Key, RequestOf(operation), AuditOutcome.Success, new() { ["operation"] = operation.OperationId, ["step"] = "completed", ["version"] = revocation ? operation.PreviousVersionId ?? string.Empty : operation.NewVersionId });
    }

    public async Task FailedAsync(RotationOperation operation, string message, Instant now)
    {
        Log.RotationFailed(_logger, operation.OperationId, operation.Key, operation.Step, message);
        Record(operation, now, IronCageTelemetry.FailureOutcome);
        await AuditAsync(AuditAction.KeyRotate, operation.Key, RequestOf(operation), AuditOutcome.Failure, new() { ["operation"] = operation.OperationId, ["step"] = operation.Step.ToString(), ["error"] = message }, CancellationToken.None).ConfigureAwait(false);
        await _events.PublishAsync(new RotationFailed { Key = operation.Key, OccurredAt = now, OperationId = operation.OperationId, Step = operation.Step, Reason = message }, CancellationToken.None).ConfigureAwait(false);
    }

    public async Task RevocationFailedAsync(RotationOperation operation, string? versionId, int attempts, string reason, Uri? consoleUrl, CancellationToken cancellationToken)
    {
        Log.RevocationFailed(_logger, operation.OperationId, operation.Key, versionId, attempts, reason);
        await AuditAsync(AuditAction.KeyRevoke, operation.Key, RequestOf(operation), AuditOutcome.Failure, new() { ["operation"] = operation.OperationId, ["version"] = versionId ?? string.Empty, ["error"] = reason }, cancellationToken).ConfigureAwait(false);
        await _events.PublishAsync(new KeyRevoked { Key = operation.Key, OccurredAt = _clock.GetCurrentInstant(), OperationId = operation.OperationId, VersionId = versionId ?? string.Empty, Succeeded = false, Error = reason, ConsoleUrl = consoleUrl }, cancellationToken).ConfigureAwait(false);
    }

    // validUntil: when a version that nothing can revoke (a generated key) stops working on its own; null otherwise.
    public ValueTask RevokedAsync(KeyReference key, string versionId, string operationId, bool localOnly, Uri? consoleUrl, Instant now, CancellationToken cancellationToken, Instant? validUntil = null)
    {
        if (validUntil is { } until)
        {
            Log.RetiredUntilExpiry(_logger, key, versionId, until);
        }

        return _events.PublishAsync(new KeyRevoked { Key = key, OccurredAt = now, OperationId = operationId, VersionId = versionId, LocalOnly = localOnly, ConsoleUrl = consoleUrl, ValidUntil = validUntil }, cancellationToken);
    }

    /// <summary>Announces what a rotation waiting for adoption waits for now (log, audit record, event).</summary>
    public async Task AdoptionProgressedAsync(RotationOperation operation, KeyAdoptionStatus status, CancellationToken cancellationToken)
    {
        var previous = operation.PreviousVersionId ?? string.Empty;
        if (status.MayRevoke)
        {
            Log.AdoptionSettled(_logger, operation.OperationId, operation.Key, previous, status.Summary);
        }
        else
        {
            Log.AdoptionWaiting(_logger, operation.OperationId, operation.Key, previous, status.Summary);
        }

        await AuditAsync(AuditAction.KeyRotate, operation.Key, RequestOf(operation), AuditOutcome.Success, new() { ["operation"] = operation.OperationId, ["step"] = "adoption", ["state"] = status.State.ToString(), ["summary"] = status.Summary }, cancellationToken).ConfigureAwait(false);
        await _events.PublishAsync(new KeyAdoptionProgressed { Key = operation.Key, OccurredAt = status.CheckedAt, OperationId = operation.OperationId, PreviousVersionId = previous, VersionId = operation.NewVersionId, Status = status }, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask KilledAsync(KeyReference key, string versionId, Instant now, CancellationToken cancellationToken)
    {
        Log.VersionKilled(_logger, key, versionId);
        return _events.PublishAsync(new KeyKilled { Key = key, OccurredAt = now, VersionId = versionId }, cancellationToken);
    }

    public async Task AuditAsync(AuditAction action, KeyReference key, RotationRequest request, AuditOutcome outcome, Dictionary<string, string> details, CancellationToken cancellationToken)
        => await _audit.AppendAsync(Event(action, key, request, outcome, details), cancellationToken).ConfigureAwait(false);

    private AuditEvent Event(AuditAction action, KeyReference key, RotationRequest request, AuditOutcome outcome, Dictionary<string, string> details)
        => new()
        {
            Actor = request.Actor,
            Action = action,
            Target = key.ToString(),
            Timestamp = _clock.GetCurrentInstant(),
            IpAddress = request.IpAddress,
            Reason = request.Note,
            Outcome = outcome,
            Details = details,
        };

    private static RotationRequest RequestOf(RotationOperation operation) => new() { Actor = operation.RequestedBy };

    private static AuditAction ActionOf(RotationOperation operation) => operation.Kind == RotationOperationKind.Revocation ? AuditAction.KeyRevoke : AuditAction.KeyRotate;

    private static void Record(RotationOperation operation, Instant now, string outcome)
    {
        var provider = new KeyValuePair<string, object?>(IronCageTelemetry.ProviderTag, operation.Key.Provider.Value);
        var result = new KeyValuePair<string, object?>(IronCageTelemetry.OutcomeTag, outcome);
        IronCageTelemetry.Rotations.Add(1, provider, result);
        IronCageTelemetry.RotationDurations.Record(Math.Max(0, (now - operation.RequestedAt).TotalSeconds), provider, result);
    }
}
