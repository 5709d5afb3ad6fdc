using IronCage.Auditing;
using IronCage.Storage;

namespace IronCage.Rotation;

/// <summary>
/// The <see cref="IRotationStepStore"/> for stores that are not one database (the in-memory defaults, a host's own
/// stores): the key, then the audit records, then the operation, each in its own store call, the order the engine
/// always wrote them in. A new operation is created first, so a key that has another operation under way gets no audit
/// record of a start that did not happen.
/// </summary>
internal sealed class SeparateStoresStepStore(IKeyStore keys, IAuditLog audit, IRotationStore operations) : IRotationStepStore
{
    public async ValueTask<RotationStepResult> WriteAsync(RotationStepWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var step = write;
        if (step.CreatesOperation)
        {
            var created = await operations.CreateAsync(step.Operation, cancellationToken).ConfigureAwait(false);
            var key = step.Key is null ? null : await keys.UpdateAsync(step.Key, cancellationToken).ConfigureAwait(false);
            await AppendAsync(step.Audit, cancellationToken).ConfigureAwait(false);
            return new RotationStepResult { Operation = created, Key = key };
        }

        var stored = step.Key is null ? null : await keys.UpdateAsync(step.Key, cancellationToken).ConfigureAwait(false);
        await AppendAsync(step.Audit, cancellationToken).ConfigureAwait(false);
        var operation = await operations.UpdateAsync(step.Operation, cancellationToken).ConfigureAwait(false);
        return new RotationStepResult { Operation = operation, Key = stored };
    }

    private async ValueTask AppendAsync(IReadOnlyList<AuditEvent> records, CancellationToken cancellationToken)
    {
        foreach (var record in records)
        {
            await audit.AppendAsync(record, cancellationToken).ConfigureAwait(false);
        }
    }
}
