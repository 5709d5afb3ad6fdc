using IronCage.Auditing;
using IronCage.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// Records operations: every step is persisted before the next begins, together with the key change and the audit
/// records it made, in one <see cref="IRotationStepStore"/> write (one transaction on a SQL store).
/// </summary>
internal sealed class OperationRecorder
{
    private const int StoreConflictRetries = 5;

    private readonly IRotationStore _operations;
    private readonly IRotationStepStore _steps;
    private readonly IKeyStore _keys;
    private readonly IClock _clock;
    private readonly RotationOptions _options;
    private readonly ILogger<OperationRecorder> _logger;

    public OperationRecorder(IRotationStore operations, IRotationStepStore steps, IKeyStore keys, IClock clock, IOptions<RotationOptions> options, ILogger<OperationRecorder> logger)
    {
        _operations = operations;
        _steps = steps;
        _keys = keys;
        _clock = clock;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Records a new operation with its first audit records.</summary>
    public async ValueTask<RotationOperation> CreateAsync(RotationOperation operation, IReadOnlyList<AuditEvent> audit, CancellationToken cancellationToken)
        => (await _steps.WriteAsync(new RotationStepWrite { Operation = operation, CreatesOperation = true, Audit = audit }, cancellationToken).ConfigureAwait(false)).Operation;

    public ValueTask<RotationOperation?> FindAsync(string operationId, CancellationToken cancellationToken) => _operations.FindAsync(operationId, cancellationToken);

    public ValueTask<RotationOperation?> FindActiveAsync(KeyReference key, CancellationToken cancellationToken) => _operations.FindActiveAsync(key, cancellationToken);

    /// <summary>Stores a change that is not a step (a deferral, an early end of grace): no step hook runs.</summary>
    public ValueTask<RotationOperation> UpdateAsync(RotationOperation operation, CancellationToken cancellationToken)
        => _operations.UpdateAsync(operation with { UpdatedAt = _clock.GetCurrentInstant() }, cancellationToken);

    /// <summary>Stores a step; the test hook <see cref="RotationOptions.AfterStep"/> runs after it (a simulated crash ends the call).</summary>
    public async Task<RotationOperation> PersistAsync(RotationOperation operation, CancellationToken cancellationToken)
        => (await PersistAsync(new StepOutcome(operation), null, cancellationToken).ConfigureAwait(false)).Operation;

    /// <summary>
    /// Stores a step with its key change and audit records in one write; a key changed meanwhile by another writer is
    /// read again and the change re-applied. Returns the stored operation and the newest copy of the key (when known).
    /// </summary>
    public async Task<(RotationOperation Operation, ManagedKey? Key)> PersistAsync(StepOutcome outcome, ManagedKey? known, CancellationToken cancellationToken)
    {
        known = outcome.Key ?? known;
        var operation = outcome.Operation with { UpdatedAt = _clock.GetCurrentInstant() };
        RotationStepResult result;
        var changed = false;
        for (var attempt = 1; ; attempt++)
        {
            ManagedKey? updated = null;
            if (outcome.KeyChange is { } change)
            {
                known ??= await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
                updated = change(known);
                if (ReferenceEquals(updated, known))
                {
                    updated = null;
                }
            }

            try
            {
                result = await _steps.WriteAsync(new RotationStepWrite { Operation = operation, Key = updated, Audit = outcome.Audit }, cancellationToken).ConfigureAwait(false);
                changed = updated is not null;
                break;
            }
            catch (ConcurrencyConflictException) when (updated is not null && attempt < StoreConflictRetries)
            {
                // Someone else changed the key (usage, a kill switch): read again and re-apply.
                known = null;
            }
        }

        var stored = result.Operation;
        known = result.Key ?? known;
        Log.StepReached(_logger, stored.OperationId, stored.Key, stored.Step);
        if (changed && outcome.AfterKeyChange is { } announce)
        {
            await announce(cancellationToken).ConfigureAwait(false);
        }

        if (_options.AfterStep is { } afterStep)
        {
            try
            {
                await afterStep(stored, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                ex.Data[StepFailures.SimulatedCrashMarker] = true;
                throw;
            }
        }

        return (stored, known);
    }
}
