using IronCage.Auditing;
using IronCage.Storage;

namespace IronCage.Rotation;

/// <summary>
/// The <see cref="IRotationStepStore"/> for stores that are not one database (the in-memory defaults, a host's own
/// stores): the key, then the audit records, then the operation, each in its own store call, the order the rotation
/// engine writes them in when it cannot write them together. A new operation is created first, so a key that has
/// another operation under way gets no audit record of a start that did not happen.
/// </summary>
/// <remarks>Not atomic: a failure part-way leaves what was written before it, which the engine's resume tolerates.</remarks>
public sealed class SequentialRotationStepStore : IRotationStepStore
{
    private readonly IKeyStore _keys;
    private readonly IAuditLog _audit;
    private readonly IRotationStore _operations;

    /// <summary>Creates a writer over three stores.</summary>
    /// <param name="keys">The key store.</param>
    /// <param name="audit">The audit log.</param>
    /// <param name="operations">The rotation store.</param>
    public SequentialRotationStepStore(IKeyStore keys, IAuditLog audit, IRotationStore operations)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(operations);
        _keys = keys;
        _audit = audit;
        _operations = operations;
    }

    /// <inheritdoc />
    public async ValueTask<RotationStepResult> WriteAsync(RotationStepWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (write.CreatesOperation)
        {
            var created = await _operations.CreateAsync(write.Operation, cancellationToken).ConfigureAwait(false);
            var key = write.Key is null ? null : await _keys.UpdateAsync(write.Key, cancellationToken).ConfigureAwait(false);
            await AppendAsync(write.Audit, cancellationToken).ConfigureAwait(false);
            return new RotationStepResult { Operation = created, Key = key };
        }

        var stored = write.Key is null ? null : await _keys.UpdateAsync(write.Key, cancellationToken).ConfigureAwait(false);
        await AppendAsync(write.Audit, cancellationToken).ConfigureAwait(false);
        var operation = await _operations.UpdateAsync(write.Operation, cancellationToken).ConfigureAwait(false);
        return new RotationStepResult { Operation = operation, Key = stored };
    }

    private async ValueTask AppendAsync(IReadOnlyList<AuditEvent> records, CancellationToken cancellationToken)
    {
        foreach (var record in records)
        {
            await _audit.AppendAsync(record, cancellationToken).ConfigureAwait(false);
        }
    }
}
