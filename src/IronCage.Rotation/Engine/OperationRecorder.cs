using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>Records operations in the <see cref="IRotationStore"/>: every step is persisted before the next begins.</summary>
internal sealed class OperationRecorder
{
    private readonly IRotationStore _operations;
    private readonly IClock _clock;
    private readonly RotationOptions _options;
    private readonly ILogger<OperationRecorder> _logger;

    public OperationRecorder(IRotationStore operations, IClock clock, IOptions<RotationOptions> options, ILogger<OperationRecorder> logger)
    {
        _operations = operations;
        _clock = clock;
        _options = options.Value;
        _logger = logger;
    }

    public ValueTask<RotationOperation> CreateAsync(RotationOperation operation, CancellationToken cancellationToken) => _operations.CreateAsync(operation, cancellationToken);

    public ValueTask<RotationOperation?> FindAsync(string operationId, CancellationToken cancellationToken) => _operations.FindAsync(operationId, cancellationToken);

    public ValueTask<RotationOperation?> FindActiveAsync(KeyReference key, CancellationToken cancellationToken) => _operations.FindActiveAsync(key, cancellationToken);

    /// <summary>Stores a change that is not a step (a deferral, an early end of grace): no step hook runs.</summary>
    public ValueTask<RotationOperation> UpdateAsync(RotationOperation operation, CancellationToken cancellationToken)
        => _operations.UpdateAsync(operation with { UpdatedAt = _clock.GetCurrentInstant() }, cancellationToken);

    /// <summary>Stores a step; the test hook <see cref="RotationOptions.AfterStep"/> runs after it (a simulated crash ends the call).</summary>
    public async Task<RotationOperation> PersistAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        var stored = await _operations.UpdateAsync(operation with { UpdatedAt = _clock.GetCurrentInstant() }, cancellationToken).ConfigureAwait(false);
        Log.StepReached(_logger, stored.OperationId, stored.Key, stored.Step);
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

        return stored;
    }
}
