using IronCage.Auditing;
using IronCage.Rotation;
using IronCage.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Storage.Sqlite;

/// <summary>
/// Writes a rotation step (operation, key change, audit records) in one SQLite write transaction: one lock, one commit
/// and one fsync instead of one per store. Used when the key store, audit log and rotation store share one file.
/// </summary>
internal sealed class SqliteRotationStepStore(SqliteKeyStore keys, SqliteAuditLog audit, SqliteRotationStore operations) : IRotationStepStore
{
    /// <summary>This writer when the registered stores are the SQLite stores of one file; the sequential writer otherwise.</summary>
    public static IRotationStepStore Create(IServiceProvider services)
    {
        var keys = services.GetRequiredService<IKeyStore>();
        var audit = services.GetRequiredService<IAuditLog>();
        var operations = services.GetRequiredService<IRotationStore>();
        return keys is SqliteKeyStore k && audit is SqliteAuditLog a && operations is SqliteRotationStore o && k.Database == a.Database && k.Database == o.Database
            ? new SqliteRotationStepStore(k, a, o)
            : new SequentialRotationStepStore(keys, audit, operations);
    }

    public async ValueTask<RotationStepResult> WriteAsync(RotationStepWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        cancellationToken.ThrowIfCancellationRequested();
        var operation = write.Operation;
        var body = StorageJson.WriteOperation(operation);
        var events = new string[write.Audit.Count];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = StorageJson.WriteAuditEvent(write.Audit[i]);
        }

        write.Key?.Validate();
        await keys.PrepareWriteAsync(cancellationToken).ConfigureAwait(false);
        var transaction = await keys.Database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            // A new operation first: a key with another one under way refuses it before anything else is written.
            RotationOperation? stored = write.CreatesOperation ? await operations.CreateInAsync(transaction, operation, body, cancellationToken).ConfigureAwait(false) : null;
            var key = write.Key is { } changed ? await keys.UpdateInAsync(transaction, changed, cancellationToken).ConfigureAwait(false) : null;
            for (var i = 0; i < events.Length; i++)
            {
                await audit.AppendInAsync(transaction, write.Audit[i], events[i], cancellationToken).ConfigureAwait(false);
            }

            stored ??= await operations.UpdateInAsync(transaction, operation, body, cancellationToken).ConfigureAwait(false);
            if (key is null)
            {
                transaction.Commit();
            }
            else
            {
                keys.CommitAnnounced(transaction, key.Reference, key.ConcurrencyToken);
            }

            return new RotationStepResult { Operation = stored, Key = key };
        }
    }
}
