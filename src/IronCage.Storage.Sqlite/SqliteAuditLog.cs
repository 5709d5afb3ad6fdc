using System.Runtime.CompilerServices;
using IronCage.Auditing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace IronCage.Storage.Sqlite;

/// <summary>
/// An <see cref="IAuditLog"/> in a SQLite database file: the append-only table <c>ironcage_audit</c> (sequence, event
/// as JSON, previous hash, hash), chained with <see cref="AuditChain"/>. Thread-safe; several instances and processes
/// may append to one file.
/// </summary>
/// <remarks>
/// An append reads the chain's head row (<c>ironcage_audit_head</c>), writes the next record and moves the head on,
/// inside one write transaction (<c>BEGIN IMMEDIATE</c>), so appends from any number of threads or processes form one
/// unbroken chain and never fork, and records cut from the end leave a gap the next append cannot close: sequence
/// numbers are never reused. Triggers refuse <c>UPDATE</c> and <c>DELETE</c> on the table and keep the head from
/// moving backwards; anything that gets past them is found by <see cref="VerifyAsync"/>, which reads the head and the
/// records from one snapshot and reports a corrupt row, a gap, or an end that disagrees with the head. Records cut
/// together with a rewritten head are found only against an exported checkpoint (see <see cref="AuditCheckpointExporter"/>).
/// </remarks>
public sealed class SqliteAuditLog : IAuditLog, IDisposable
{
    private readonly SqliteDatabase _database;
    private readonly bool _ownsDatabase;

    /// <summary>Creates a log on the database file that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string and settings.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, an in-memory database, ...).</exception>
    public SqliteAuditLog(SqliteStoreOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates a log on the database file that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string and settings.</param>
    /// <param name="loggerFactory">Creates the log's logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, an in-memory database, ...).</exception>
    public SqliteAuditLog(SqliteStoreOptions options, ILoggerFactory? loggerFactory)
        : this(new SqliteDatabase(options, loggerFactory), ownsDatabase: true)
    {
    }

    internal SqliteAuditLog(SqliteDatabase database, bool ownsDatabase)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
    }

    /// <inheritdoc />
    public async ValueTask<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        cancellationToken.ThrowIfCancellationRequested();
        var json = StorageJson.WriteAuditEvent(auditEvent);

        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            var record = await AppendInAsync(write, auditEvent, json, cancellationToken).ConfigureAwait(false);
            write.Commit();
            return record;
        }
    }

    internal SqliteDatabase Database => _database;

    /// <summary>Appends inside <paramref name="write"/>: the head row moves on with the transaction, or not at all.</summary>
    internal async ValueTask<AuditRecord> AppendInAsync(SqliteWrite write, AuditEvent auditEvent, string json, CancellationToken cancellationToken)
    {
        long sequence;
        string previousHash;
        using (var head = write.Command("SELECT sequence, hash FROM ironcage_audit_head WHERE id = 1;"))
        {
            var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new IronCageException($"The IronCage database '{_database.DataSource}' has no audit chain head (ironcage_audit_head): it was deleted outside IronCage. Restore the file from a backup and verify the audit log against its latest exported checkpoint.");
                }

                var last = reader.GetInt64(0);
                (sequence, previousHash) = last == 0 ? (1L, AuditChain.GenesisHash) : (last + 1, reader.GetString(1));
            }
        }

        var hash = AuditChain.ComputeHash(sequence, previousHash, auditEvent);
        using (var insert = write.Command("""
            INSERT INTO ironcage_audit (sequence, event, previous_hash, hash) VALUES ($sequence, $event, $previous_hash, $hash);
            UPDATE ironcage_audit_head SET sequence = $sequence, hash = $hash WHERE id = 1;
            """))
        {
            insert.Parameters.AddWithValue("$sequence", sequence);
            insert.Parameters.AddWithValue("$event", json);
            insert.Parameters.AddWithValue("$previous_hash", previousHash);
            insert.Parameters.AddWithValue("$hash", hash);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return new AuditRecord(sequence, auditEvent, previousHash, hash);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditRecord> ReadAsync(long fromSequence = 1, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _database.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            // sequence is the table's rowid: this is the order records are stored in, read from the clustered b-tree.
            command.CommandText = "SELECT sequence, event, previous_hash, hash FROM ironcage_audit WHERE sequence >= $from ORDER BY sequence;";
            command.Parameters.AddWithValue("$from", fromSequence);
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
    /// The head row and the records are read from one snapshot of the file (one read transaction), so appends that run
    /// meanwhile are not mistaken for records the head does not know. A row that cannot be read is reported as
    /// <see cref="AuditTamperKind.Unreadable"/>, never thrown.
    /// </remarks>
    public async ValueTask<AuditVerificationResult> VerifyAsync(AuditCheckpoint? checkpoint = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _database.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // Deferred: a read transaction, whose snapshot starts at its first read (the head row) and holds to its end.
            var transaction = connection.BeginTransaction(deferred: true);
            await using (transaction.ConfigureAwait(false))
            {
                var head = await ReadHeadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                return await AuditChain.VerifyRowsAsync(ReadRowsAsync(connection, transaction, cancellationToken), head, checkpoint, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async ValueTask<AuditCheckpoint> ReadHeadAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT sequence, hash FROM ironcage_audit_head WHERE id = 1;";
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new AuditCheckpoint(reader.GetInt64(0), reader.IsDBNull(1) ? string.Empty : reader.GetString(1))
                : AuditChainVerifier.MissingHead;
        }
    }

    private static async IAsyncEnumerable<AuditRow> ReadRowsAsync(SqliteConnection connection, SqliteTransaction transaction, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT sequence, event, previous_hash, hash FROM ironcage_audit ORDER BY sequence;";
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Read defensively: a row edited outside IronCage may hold anything, and is reported rather than thrown.
                yield return new AuditRow(
                    reader.GetInt64(0),
                    StorageJson.TryReadAuditEvent(reader.IsDBNull(1) ? null : reader.GetValue(1) as string),
                    reader.IsDBNull(2) ? string.Empty : Convert.ToString(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
                    reader.IsDBNull(3) ? string.Empty : Convert.ToString(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
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
