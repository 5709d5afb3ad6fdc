using System.Runtime.CompilerServices;
using IronCage.Auditing;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace IronCage.Storage.PostgreSql;

/// <summary>
/// An <see cref="IAuditLog"/> in a PostgreSQL database: the append-only table <c>ironcage_audit</c> (sequence, event
/// as JSON, previous hash, hash), chained with <see cref="AuditChain"/>. Thread-safe; any number of instances may
/// append to one database.
/// </summary>
/// <remarks>
/// An append locks the chain's head row (<c>SELECT … FROM ironcage_audit_head … FOR UPDATE</c>), writes the next
/// record and moves the head on, in one transaction: appends from every instance queue on that row lock, so the chain
/// never forks, and records cut from the end leave a gap the next append cannot close. Triggers refuse
/// <c>UPDATE</c>, <c>DELETE</c> and <c>TRUNCATE</c> on the table and keep the head from being deleted or moved
/// backwards; anything that gets past them (a superuser, a dropped trigger) is found by <see cref="VerifyAsync"/>,
/// which reads the head and streams the records from one snapshot and reports a corrupt row, a gap, or an end that
/// disagrees with the head. Records cut together with a rewritten head are found only against an exported
/// checkpoint (see <see cref="AuditCheckpointExporter"/>).
/// </remarks>
public sealed class PostgreSqlAuditLog : IAuditLog, IDisposable
{
    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;

    /// <summary>Creates a log on the database that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string (or data source) and settings.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, ...).</exception>
    public PostgreSqlAuditLog(PostgreSqlStoreOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates a log on the database that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string (or data source) and settings.</param>
    /// <param name="loggerFactory">Creates the log's logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, ...).</exception>
    public PostgreSqlAuditLog(PostgreSqlStoreOptions options, ILoggerFactory? loggerFactory)
        : this(new PostgreSqlDatabase(options, loggerFactory), ownsDatabase: true)
    {
    }

    internal PostgreSqlAuditLog(PostgreSqlDatabase database, bool ownsDatabase)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
    }

    /// <inheritdoc />
    public async ValueTask<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(auditEvent);
            cancellationToken.ThrowIfCancellationRequested();
            var json = StorageJson.WriteAuditEvent(auditEvent);

            var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
            await using (write.ConfigureAwait(false))
            {
                var records = await AppendInAsync(write, [auditEvent], [json], cancellationToken).ConfigureAwait(false);
                await write.CommitAsync().ConfigureAwait(false);
                return records[0];
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    internal PostgreSqlDatabase Database => _database;

    /// <summary>
    /// Appends records inside <paramref name="write"/>: the head row is locked once (held to the end of the caller's
    /// transaction), every record and the moved head go in one round trip.
    /// </summary>
    internal async ValueTask<AuditRecord[]> AppendInAsync(PostgreSqlWrite write, IReadOnlyList<AuditEvent> events, IReadOnlyList<string> json, CancellationToken cancellationToken)
    {
        long sequence;
        string previousHash;
        using (var head = write.Command("SELECT sequence, hash FROM ironcage_audit_head WHERE id = 1 FOR UPDATE;"))
        {
            var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new IronCageException($"The IronCage database '{_database.Name}' has no audit chain head (ironcage_audit_head); was its schema changed by hand?");
                }

                var last = reader.GetInt64(0);
                (sequence, previousHash) = last == 0 ? (0L, AuditChain.GenesisHash) : (last, reader.GetString(1));
            }
        }

        var records = new AuditRecord[events.Count];
        using var batch = new NpgsqlBatch(write.Connection, write.Transaction);
        for (var i = 0; i < events.Count; i++)
        {
            sequence++;
            var hash = AuditChain.ComputeHash(sequence, previousHash, events[i]);
            var insert = new NpgsqlBatchCommand("INSERT INTO ironcage_audit (sequence, event, previous_hash, hash) VALUES (@sequence, @event, @previous_hash, @hash);");
            insert.Parameters.AddWithValue("sequence", sequence);
            insert.Parameters.AddWithValue("event", json[i]);
            insert.Parameters.AddWithValue("previous_hash", previousHash);
            insert.Parameters.AddWithValue("hash", hash);
            batch.BatchCommands.Add(insert);
            records[i] = new AuditRecord(sequence, events[i], previousHash, hash);
            previousHash = hash;
        }

        var move = new NpgsqlBatchCommand("UPDATE ironcage_audit_head SET sequence = @sequence, hash = @hash WHERE id = 1;");
        move.Parameters.AddWithValue("sequence", sequence);
        move.Parameters.AddWithValue("hash", previousHash);
        batch.BatchCommands.Add(move);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return records;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<AuditRecord> ReadAsync(long fromSequence = 1, CancellationToken cancellationToken = default)
        => _database.GuardAsync(ReadCoreAsync(fromSequence, cancellationToken), cancellationToken);

    private async IAsyncEnumerable<AuditRecord> ReadCoreAsync(long fromSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // Npgsql streams the rows as they are read: a long log is never held in memory.
            using var command = new NpgsqlCommand("SELECT sequence, event, previous_hash, hash FROM ironcage_audit WHERE sequence >= @from ORDER BY sequence;", connection);
            command.Parameters.AddWithValue("from", fromSequence);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var sequence = reader.GetInt64(0);
                    yield return new AuditRecord(sequence, StorageJson.ReadAuditEvent(sequence, reader.GetString(1)), reader.GetString(2), reader.GetString(3));
                }
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The head row and the records are read in one <c>REPEATABLE READ</c> transaction (one snapshot), so appends that
    /// commit meanwhile are not mistaken for records the head does not know. A row that cannot be read is reported as
    /// <see cref="AuditTamperKind.Unreadable"/>, never thrown.
    /// </remarks>
    public async ValueTask<AuditVerificationResult> VerifyAsync(AuditCheckpoint? checkpoint = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var head = await ReadHeadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                    return await AuditChain.VerifyRowsAsync(ReadRowsAsync(connection, transaction, cancellationToken), head, checkpoint, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    private static async ValueTask<AuditCheckpoint> ReadHeadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand("SELECT sequence, hash FROM ironcage_audit_head WHERE id = 1;", connection, transaction);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new AuditCheckpoint(reader.GetInt64(0), reader.IsDBNull(1) ? string.Empty : reader.GetString(1))
                : AuditChainVerifier.MissingHead;
        }
    }

    private static async IAsyncEnumerable<AuditRow> ReadRowsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Cast to text: a column whose type was changed outside IronCage is still read, and reported if it is wrong.
        using var command = new NpgsqlCommand("SELECT sequence, event::text, previous_hash::text, hash::text FROM ironcage_audit ORDER BY sequence;", connection, transaction);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return new AuditRow(
                    reader.GetInt64(0),
                    StorageJson.TryReadAuditEvent(reader.IsDBNull(1) ? null : reader.GetString(1)),
                    reader.IsDBNull(2) ? string.Empty : reader.GetString(2),
                    reader.IsDBNull(3) ? string.Empty : reader.GetString(3));
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }
}
