using IronCage.Auditing;
using IronCage.Rotation;
using IronCage.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Storage.Sqlite;

/// <summary>
/// Writes rotation steps (operation, key change, audit records) in SQLite write transactions, one step all or nothing,
/// when the key store, audit log and rotation store share one file.
/// </summary>
/// <remarks>
/// SQLite has one writer at a time and every commit waits for the disk (<c>synchronous = FULL</c>), so steps that
/// arrive while another is being written are committed together: group commit. Each step runs in its own savepoint,
/// so a step that is refused (a stale token, another operation under way) is rolled back alone and reported to its
/// caller, while the others commit; every caller returns only after its step is on disk.
/// </remarks>
internal sealed class SqliteRotationStepStore(SqliteKeyStore keys, SqliteAuditLog audit, SqliteRotationStore operations) : IRotationStepStore
{
    private const int MaxGroup = 64;

    private readonly object _gate = new();
    private readonly Queue<Pending> _queue = new();
    private bool _flushing;

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
        write.Key?.Validate();
        var events = new string[write.Audit.Count];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = StorageJson.WriteAuditEvent(write.Audit[i]);
        }

        var pending = new Pending(write, StorageJson.WriteOperation(write.Operation), events, cancellationToken);
        await keys.PrepareWriteAsync(cancellationToken).ConfigureAwait(false);
        await keys.Database.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        bool flush;
        lock (_gate)
        {
            _queue.Enqueue(pending);
            flush = !_flushing;
            _flushing = true;
        }

        if (flush)
        {
            await FlushAsync().ConfigureAwait(false);
        }

        return await pending.Completion.Task.ConfigureAwait(false);
    }

    // The caller that found no flush under way writes one group (its own step and whatever queued up); steps queued
    // meanwhile are written by a flush handed to the thread pool, so no caller keeps writing for the others.
    private async Task FlushAsync()
    {
        var group = new List<Pending>();
        lock (_gate)
        {
            while (group.Count < MaxGroup && _queue.TryDequeue(out var next))
            {
                group.Add(next);
            }
        }

        try
        {
            await WriteGroupAsync(group).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Never leaves a caller waiting, and never leaves the flush marked as under way.
            group.ForEach(p => p.Completion.TrySetException(e));
        }
        finally
        {
            bool more;
            lock (_gate)
            {
                more = _queue.Count > 0;
                _flushing = more;
            }

            if (more)
            {
                _ = Task.Run(FlushAsync);
            }
        }
    }

    private async Task WriteGroupAsync(List<Pending> group)
    {
        SqliteWrite transaction;
        try
        {
            transaction = await keys.Database.BeginWriteAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            group.ForEach(p => p.Completion.TrySetException(e is SqliteException sqlite ? keys.Database.Translate(sqlite) : e));
            return;
        }

        var written = new List<(Pending Pending, RotationStepResult Result)>(group.Count);
        await using (transaction.ConfigureAwait(false))
        {
            var broken = false;
            for (var i = 0; i < group.Count; i++)
            {
                var pending = group[i];
                if (broken)
                {
                    pending.Completion.TrySetException(new StoreUnavailableException(keys.Database.DataSource, isTransient: true, $"The IronCage database '{keys.Database.DataSource}' rolled back a write transaction; the rotation step was not recorded. It is retried.", null));
                    continue;
                }

                if (pending.CancellationToken.IsCancellationRequested)
                {
                    pending.Completion.TrySetCanceled(pending.CancellationToken);
                    continue;
                }

                var savepoint = "step" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                transaction.Transaction.Save(savepoint);
                try
                {
                    written.Add((pending, await WriteOneAsync(transaction, pending).ConfigureAwait(false)));
                    transaction.Transaction.Release(savepoint);
                }
                catch (Exception e)
                {
                    pending.Completion.TrySetException(e is SqliteException sqlite ? keys.Database.Translate(sqlite) : e);
                    broken = !TryRollBack(transaction, savepoint);
                }
            }

            if (broken)
            {
                // SQLite rolled back the whole transaction (a full disk, an I/O error): nothing of the group was written.
                written.ForEach(w => w.Pending.Completion.TrySetException(new StoreUnavailableException(keys.Database.DataSource, isTransient: true, $"The IronCage database '{keys.Database.DataSource}' rolled back a write transaction; the rotation step was not recorded. It is retried.", null)));
                return;
            }

            try
            {
                keys.CommitAnnounced(transaction, [.. written.Where(w => w.Result.Key is not null).Select(w => w.Result.Key!)]);
            }
            catch (Exception e)
            {
                var failure = e is SqliteException sqlite ? keys.Database.Translate(sqlite) : e;
                written.ForEach(w => w.Pending.Completion.TrySetException(failure));
                return;
            }
        }

        written.ForEach(w => w.Pending.Completion.TrySetResult(w.Result));
    }

    private async ValueTask<RotationStepResult> WriteOneAsync(SqliteWrite transaction, Pending pending)
    {
        // Once in a group the step is committed or refused as a whole: the caller's token no longer cancels it.
        var cancellationToken = CancellationToken.None;
        var write = pending.Write;

        // A new operation first: a key with another one under way refuses it before anything else is written.
        var stored = write.CreatesOperation ? await operations.CreateInAsync(transaction, write.Operation, pending.Body, cancellationToken).ConfigureAwait(false) : null;
        var key = write.Key is { } changed ? await keys.UpdateInAsync(transaction, changed, cancellationToken).ConfigureAwait(false) : null;
        for (var i = 0; i < pending.Events.Length; i++)
        {
            await audit.AppendInAsync(transaction, write.Audit[i], pending.Events[i], cancellationToken).ConfigureAwait(false);
        }

        stored ??= await operations.UpdateInAsync(transaction, write.Operation, pending.Body, cancellationToken).ConfigureAwait(false);
        return new RotationStepResult { Operation = stored, Key = key };
    }

    private static bool TryRollBack(SqliteWrite transaction, string savepoint)
    {
        try
        {
            transaction.Transaction.Rollback(savepoint);
            transaction.Transaction.Release(savepoint);
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    private sealed class Pending(RotationStepWrite write, string body, string[] events, CancellationToken cancellationToken)
    {
        public RotationStepWrite Write { get; } = write;

        public string Body { get; } = body;

        public string[] Events { get; } = events;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<RotationStepResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
