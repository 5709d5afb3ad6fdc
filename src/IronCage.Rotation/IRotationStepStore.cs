using IronCage.Storage;

namespace IronCage.Rotation;

/// <summary>
/// Records one rotation step as a whole: the operation at its new step, the change the step made to the managed key and
/// the step's audit records. A store that keeps keys, operations and the audit log in one database commits them in one
/// transaction (all or nothing); otherwise they are written one after the other (key, audit, operation).
/// </summary>
/// <remarks>
/// The rotation engine records every step through this seam, so a step costs one store transaction instead of one per
/// store. The SQLite and PostgreSQL packages register their own when their key store, audit log and rotation store
/// share one database; anything else (the in-memory stores, a host's own store) gets <see cref="SequentialRotationStepStore"/>, which calls
/// <see cref="IKeyStore"/>, <see cref="Auditing.IAuditLog"/> and <see cref="IRotationStore"/> in turn.
/// </remarks>
public interface IRotationStepStore
{
    /// <summary>Writes <paramref name="write"/>.</summary>
    /// <param name="write">The operation, the key change and the audit records of one step.</param>
    /// <param name="cancellationToken">Cancels the call before anything is written.</param>
    /// <returns>The stored operation and key, with their new concurrency tokens.</returns>
    /// <exception cref="ConcurrencyConflictException">The key's token differs: another writer changed it. Nothing of the step was written by an atomic store.</exception>
    /// <exception cref="RotationConflictException">The operation's token differs, or (when created) the key has another unfinished operation. Nothing of the step was written by an atomic store.</exception>
    /// <exception cref="ManagedKeyNotFoundException">The key was deleted.</exception>
    ValueTask<RotationStepResult> WriteAsync(RotationStepWrite write, CancellationToken cancellationToken = default);
}
