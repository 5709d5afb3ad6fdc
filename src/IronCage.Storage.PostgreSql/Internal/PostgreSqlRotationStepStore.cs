using IronCage.Auditing;
using IronCage.Rotation;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Storage.PostgreSql;

/// <summary>
/// Writes a rotation step (operation, key change, audit records) in one PostgreSQL transaction: one commit instead of
/// one per store, the key's versions and its change notification in one round trip, every audit record of the step in
/// another. Used when the key store, audit log and rotation store share one database.
/// </summary>
/// <remarks>
/// Locks are taken in one order, key row → audit head → operation row, and every other writer takes a subset of them
/// in the same order, so steps of different keys never deadlock; the audit head is locked only by steps that audit.
/// </remarks>
internal sealed class PostgreSqlRotationStepStore(PostgreSqlKeyStore keys, PostgreSqlAuditLog audit, PostgreSqlRotationStore operations) : IRotationStepStore
{
    /// <summary>This writer when the registered stores are the PostgreSQL stores of one database; the sequential writer otherwise.</summary>
    public static IRotationStepStore Create(IServiceProvider services)
    {
        var keys = services.GetRequiredService<IKeyStore>();
        var audit = services.GetRequiredService<IAuditLog>();
        var operations = services.GetRequiredService<IRotationStore>();
        return keys is PostgreSqlKeyStore k && audit is PostgreSqlAuditLog a && operations is PostgreSqlRotationStore o && k.Database == a.Database && k.Database == o.Database
            ? new PostgreSqlRotationStepStore(k, a, o)
            : new SequentialRotationStepStore(keys, audit, operations);
    }

    public async ValueTask<RotationStepResult> WriteAsync(RotationStepWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var database = keys.Database;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var operation = write.Operation;
            var body = StorageJson.WriteOperation(operation);
            var events = write.Audit.Select(StorageJson.WriteAuditEvent).ToArray();
            write.Key?.Validate();
            await keys.PrepareWriteAsync(cancellationToken).ConfigureAwait(false);

            long? token;
            ManagedKey? key = null;
            var transaction = await database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                // A new operation first: a key with another one under way refuses it before anything else is written.
                token = write.CreatesOperation ? await PostgreSqlRotationStore.CreateInAsync(transaction, operation, body, cancellationToken).ConfigureAwait(false) : null;
                if (!write.CreatesOperation || token is not null)
                {
                    if (write.Key is { } changed)
                    {
                        key = await keys.UpdateInAsync(transaction, changed, cancellationToken).ConfigureAwait(false);
                    }

                    if (events.Length > 0)
                    {
                        await audit.AppendInAsync(transaction, write.Audit, events, cancellationToken).ConfigureAwait(false);
                    }

                    if (!write.CreatesOperation)
                    {
                        token = await PostgreSqlRotationStore.UpdateInAsync(transaction, operation, body, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (token is { } stored)
                {
                    await transaction.CommitAsync().ConfigureAwait(false);
                    return new RotationStepResult { Operation = operation with { ConcurrencyToken = stored }, Key = key };
                }
            }

            // Refused: the transaction rolled back; say why.
            throw write.CreatesOperation
                ? await operations.CreateConflictAsync(operation, cancellationToken).ConfigureAwait(false)
                : await operations.UpdateConflictAsync(operation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(database.Name, e);
        }
    }
}
