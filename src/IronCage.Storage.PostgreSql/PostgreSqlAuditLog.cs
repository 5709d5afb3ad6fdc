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
/// never forks. A trigger refuses <c>UPDATE</c> and <c>DELETE</c> on the table; anything that gets past it is found by
/// <see cref="VerifyAsync"/>, which streams the records through <see cref="AuditChain.VerifyAsync"/>.
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
                        (sequence, previousHash) = last == 0 ? (1L, AuditChain.GenesisHash) : (last + 1, reader.GetString(1));
                    }
                }

                var hash = AuditChain.ComputeHash(sequence, previousHash, auditEvent);
                using (var insert = write.Command("""
                    INSERT INTO ironcage_audit (sequence, event, previous_hash, hash) VALUES (@sequence, @event, @previous_hash, @hash);
                    UPDATE ironcage_audit_head SET sequence = @sequence, hash = @hash WHERE id = 1;
                    """))
                {
                    insert.Parameters.AddWithValue("sequence", sequence);
                    insert.Parameters.AddWithValue("event", json);
                    insert.Parameters.AddWithValue("previous_hash", previousHash);
                    insert.Parameters.AddWithValue("hash", hash);
                    await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await write.CommitAsync().ConfigureAwait(false);
                return new AuditRecord(sequence, auditEvent, previousHash, hash);
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
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
