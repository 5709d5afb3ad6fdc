using System.Runtime.CompilerServices;
using IronCage.Auditing;
using Microsoft.Extensions.Logging;

namespace IronCage.Storage.Sqlite;

/// <summary>
/// An <see cref="IAuditLog"/> in a SQLite database file: the append-only table <c>ironcage_audit</c> (sequence, event
/// as JSON, previous hash, hash), chained with <see cref="AuditChain"/>. Thread-safe; several instances and processes
/// may append to one file.
/// </summary>
/// <remarks>
/// An append reads the last record and writes the next one inside one write transaction (<c>BEGIN IMMEDIATE</c>), so
/// appends from any number of threads or processes form one unbroken chain and never fork. Triggers refuse
/// <c>UPDATE</c> and <c>DELETE</c> on the table; anything that gets past them is found by <see cref="VerifyAsync"/>.
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
            long sequence;
            string previousHash;
            using (var last = write.Command("SELECT sequence, hash FROM ironcage_audit ORDER BY sequence DESC LIMIT 1;"))
            {
                var reader = await last.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    (sequence, previousHash) = await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                        ? (reader.GetInt64(0) + 1, reader.GetString(1))
                        : (1L, AuditChain.GenesisHash);
                }
            }

            var hash = AuditChain.ComputeHash(sequence, previousHash, auditEvent);
            using (var insert = write.Command("INSERT INTO ironcage_audit (sequence, event, previous_hash, hash) VALUES ($sequence, $event, $previous_hash, $hash);"))
            {
                insert.Parameters.AddWithValue("$sequence", sequence);
                insert.Parameters.AddWithValue("$event", json);
                insert.Parameters.AddWithValue("$previous_hash", previousHash);
                insert.Parameters.AddWithValue("$hash", hash);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            write.Commit();
            return new AuditRecord(sequence, auditEvent, previousHash, hash);
        }
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
                    yield return new AuditRecord(reader.GetInt64(0), StorageJson.ReadAuditEvent(reader.GetString(1)), reader.GetString(2), reader.GetString(3));
                }
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<AuditVerificationResult> VerifyAsync(AuditCheckpoint? checkpoint = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return AuditChain.VerifyAsync(ReadAsync(1, cancellationToken), checkpoint, cancellationToken);
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
