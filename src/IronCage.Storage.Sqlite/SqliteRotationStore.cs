using System.Runtime.CompilerServices;
using IronCage.Rotation;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Storage.Sqlite;

/// <summary>
/// An <see cref="IRotationStore"/> in a SQLite database file: rotation operations in <c>ironcage_rotation_operations</c>
/// and leases in <c>ironcage_rotation_leases</c>. A new key's secret, while an operation carries it, is stored only
/// sealed. Thread-safe; several instances and processes may share one file.
/// </summary>
/// <remarks>
/// A partial unique index on the key of unfinished operations makes the database itself refuse a second unfinished
/// operation for a key, whoever writes. A lease is taken in one statement that inserts it, or takes it over when it
/// expired, and hands out a fencing token from a counter that only grows, so a later holder always has a greater token.
/// </remarks>
public sealed class SqliteRotationStore : IRotationStore, IDisposable
{
    private const string OperationTokenSequence = "rotation_operation_token";
    private const string LeaseTokenSequence = "rotation_lease_token";

    private const string SelectOperations = OperationRows.Select;

    private readonly SqliteDatabase _database;
    private readonly bool _ownsDatabase;

    /// <summary>Creates a store on the database file that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string and settings.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, an in-memory database, ...).</exception>
    public SqliteRotationStore(SqliteStoreOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates a store on the database file that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string and settings.</param>
    /// <param name="loggerFactory">Creates the store's logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, an in-memory database, ...).</exception>
    public SqliteRotationStore(SqliteStoreOptions options, ILoggerFactory? loggerFactory)
        : this(new SqliteDatabase(options, loggerFactory), ownsDatabase: true)
    {
    }

    internal SqliteRotationStore(SqliteDatabase database, bool ownsDatabase)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
    }

    /// <inheritdoc />
    public async ValueTask<RotationOperation> CreateAsync(RotationOperation operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        cancellationToken.ThrowIfCancellationRequested();
        var body = StorageJson.WriteOperation(operation);

        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            var created = await CreateInAsync(write, operation, body, cancellationToken).ConfigureAwait(false);
            write.Commit();
            return created;
        }
    }

    internal SqliteDatabase Database => _database;

    /// <summary>Creates inside <paramref name="write"/>; the caller commits.</summary>
    internal async ValueTask<RotationOperation> CreateInAsync(SqliteWrite write, RotationOperation operation, string body, CancellationToken cancellationToken)
    {
        if (await FindActiveAsync(write, operation.Key, cancellationToken).ConfigureAwait(false) is { } active)
        {
            Log.OperationConflict(_database.Logger, operation.OperationId, operation.Key, active.OperationId);
            throw new RotationConflictException(operation.Key, active.OperationId, active.Step);
        }

        var token = await write.NextTokenAsync(OperationTokenSequence, cancellationToken).ConfigureAwait(false);
        using (var insert = write.Command("""
            INSERT INTO ironcage_rotation_operations (operation_id, key_reference, step, finished, requested_at, updated_at, token, body,
                                                      new_secret_format, new_kek_id, new_wrapped_data_key, new_nonce, new_ciphertext)
            VALUES ($operation_id, $key_reference, $step, $finished, $requested_at, $updated_at, $token, $body,
                    $new_secret_format, $new_kek_id, $new_wrapped_data_key, $new_nonce, $new_ciphertext)
            ON CONFLICT (operation_id) DO NOTHING;
            """))
        {
            Bind(insert, operation, token, body);
            if (await ExecuteAsync(insert, write, operation, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new ArgumentException($"Rotation operation '{operation.OperationId}' already exists; create each operation with a new id (RotationOperation.NewOperationId()).", nameof(operation));
            }
        }

        return operation with { ConcurrencyToken = token };
    }

    /// <inheritdoc />
    public async ValueTask<RotationOperation?> FindAsync(string operationId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operationId);
        cancellationToken.ThrowIfCancellationRequested();
        await foreach (var operation in QueryAsync(SelectOperations + " WHERE operation_id = $value;", operationId, cancellationToken).ConfigureAwait(false))
        {
            return operation;
        }

        return null;
    }

    /// <inheritdoc />
    public async ValueTask<RotationOperation?> FindActiveAsync(KeyReference key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await foreach (var operation in QueryAsync(SelectOperations + " WHERE key_reference = $value AND finished = 0;", key.ToString(), cancellationToken).ConfigureAwait(false))
        {
            return operation;
        }

        return null;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<RotationOperation> ListActiveAsync(CancellationToken cancellationToken = default)
        => QueryAsync(SelectOperations + " WHERE finished = 0 ORDER BY requested_at, token;", null, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<RotationOperation> ListForKeyAsync(KeyReference key, CancellationToken cancellationToken = default)
        => QueryAsync(SelectOperations + " WHERE key_reference = $value ORDER BY requested_at DESC, token DESC;", key.ToString(), cancellationToken);

    /// <inheritdoc />
    public async ValueTask<RotationOperation> UpdateAsync(RotationOperation operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        cancellationToken.ThrowIfCancellationRequested();
        var body = StorageJson.WriteOperation(operation);

        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            var updated = await UpdateInAsync(write, operation, body, cancellationToken).ConfigureAwait(false);
            write.Commit();
            return updated;
        }
    }

    /// <summary>Updates inside <paramref name="write"/> if the token still matches; the caller commits.</summary>
    internal async ValueTask<RotationOperation> UpdateInAsync(SqliteWrite write, RotationOperation operation, string body, CancellationToken cancellationToken)
    {
        var token = await write.NextTokenAsync(OperationTokenSequence, cancellationToken).ConfigureAwait(false);
        using (var update = write.Command("""
            UPDATE ironcage_rotation_operations
            SET key_reference = $key_reference, step = $step, finished = $finished, requested_at = $requested_at, updated_at = $updated_at,
                token = $token, body = $body, new_secret_format = $new_secret_format, new_kek_id = $new_kek_id,
                new_wrapped_data_key = $new_wrapped_data_key, new_nonce = $new_nonce, new_ciphertext = $new_ciphertext
            WHERE operation_id = $operation_id AND token = $expected;
            """))
        {
            Bind(update, operation, token, body);
            update.Parameters.AddWithValue("$expected", operation.ConcurrencyToken);
            if (await ExecuteAsync(update, write, operation, cancellationToken).ConfigureAwait(false) == 0)
            {
                using var current = write.Command("SELECT step FROM ironcage_rotation_operations WHERE operation_id = $operation_id;");
                current.Parameters.AddWithValue("$operation_id", operation.OperationId);
                var step = await current.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long stored ? (RotationStep)stored : operation.Step;
                Log.OperationConflict(_database.Logger, operation.OperationId, operation.Key, null);
                throw new RotationConflictException(operation.Key, operation.OperationId, step);
            }
        }

        return operation with { ConcurrencyToken = token };
    }

    /// <inheritdoc />
    public async ValueTask<RotationLease?> TryAcquireLeaseAsync(string resource, string owner, Duration duration, Instant now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resource);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        cancellationToken.ThrowIfCancellationRequested();
        var expiresAt = now + duration;

        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            var token = await write.NextTokenAsync(LeaseTokenSequence, cancellationToken).ConfigureAwait(false);

            // Insert, or take over a lease that expired, in one statement. Not re-entrant: no row comes back while anyone,
            // the same owner included, holds an unexpired lease.
            using var acquire = write.Command("""
                INSERT INTO ironcage_rotation_leases (resource, owner, expires_at, token) VALUES ($resource, $owner, $expires_at, $token)
                ON CONFLICT (resource) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, token = excluded.token
                WHERE ironcage_rotation_leases.expires_at <= $now
                RETURNING token;
                """);
            acquire.Parameters.AddWithValue("$resource", resource);
            acquire.Parameters.AddWithValue("$owner", owner);
            acquire.Parameters.AddWithValue("$expires_at", SqliteValues.Ticks(expiresAt));
            acquire.Parameters.AddWithValue("$token", token);
            acquire.Parameters.AddWithValue("$now", SqliteValues.Ticks(now));
            if (await acquire.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not long)
            {
                // Rolled back: the fencing token was not handed out.
                return null;
            }

            write.Commit();
            return new RotationLease(resource, owner, expiresAt, token);
        }
    }

    /// <inheritdoc />
    public async ValueTask<RotationLease?> RenewLeaseAsync(RotationLease lease, Duration duration, Instant now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        cancellationToken.ThrowIfCancellationRequested();
        var expiresAt = now + duration;

        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            // Still held if nobody took it over since: its token is unchanged (even if it expired in the meantime).
            using var renew = write.Command("UPDATE ironcage_rotation_leases SET expires_at = $expires_at WHERE resource = $resource AND token = $token;");
            renew.Parameters.AddWithValue("$expires_at", SqliteValues.Ticks(expiresAt));
            renew.Parameters.AddWithValue("$resource", lease.Resource);
            renew.Parameters.AddWithValue("$token", lease.Token);
            if (await renew.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return null;
            }

            write.Commit();
            return lease with { ExpiresAt = expiresAt };
        }
    }

    /// <inheritdoc />
    public async ValueTask ReleaseLeaseAsync(RotationLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        cancellationToken.ThrowIfCancellationRequested();
        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            using var release = write.Command("DELETE FROM ironcage_rotation_leases WHERE resource = $resource AND token = $token;");
            release.Parameters.AddWithValue("$resource", lease.Resource);
            release.Parameters.AddWithValue("$token", lease.Token);
            await release.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            write.Commit();
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

    private static void Bind(SqliteCommand command, RotationOperation operation, long token, string body)
    {
        command.Parameters.AddWithValue("$operation_id", operation.OperationId);
        command.Parameters.AddWithValue("$key_reference", operation.Key.ToString());
        command.Parameters.AddWithValue("$step", (int)operation.Step);
        command.Parameters.AddWithValue("$finished", operation.IsFinished ? 1 : 0);
        command.Parameters.AddWithValue("$requested_at", SqliteValues.Ticks(operation.RequestedAt));
        command.Parameters.AddWithValue("$updated_at", SqliteValues.Ticks(operation.UpdatedAt));
        command.Parameters.AddWithValue("$token", token);
        command.Parameters.AddWithValue("$body", body);
        var secret = operation.NewSecret;
        command.Parameters.AddWithValue("$new_secret_format", secret is null ? DBNull.Value : secret.FormatVersion);
        command.Parameters.AddWithValue("$new_kek_id", SqliteValues.OrNull(secret?.KeyEncryptionKeyId));
        command.Parameters.Add("$new_wrapped_data_key", SqliteType.Blob).Value = secret is null ? DBNull.Value : secret.WrappedDataKey.ToArray();
        command.Parameters.Add("$new_nonce", SqliteType.Blob).Value = secret is null ? DBNull.Value : secret.Nonce.ToArray();
        command.Parameters.Add("$new_ciphertext", SqliteType.Blob).Value = secret is null ? DBNull.Value : secret.Ciphertext.ToArray();
    }

    private static async ValueTask<RotationOperation?> FindActiveAsync(SqliteWrite write, KeyReference key, CancellationToken cancellationToken)
    {
        using var select = write.Command(SelectOperations + " WHERE key_reference = $value AND finished = 0;");
        select.Parameters.AddWithValue("$value", key.ToString());
        var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? OperationRows.Read(reader) : null;
        }
    }

    // The partial unique index is the last word on "one unfinished operation per key": a row that breaks it (a writer
    // that bypassed the check above, or an update that reopens an operation) is reported as the conflict it is.
    private async ValueTask<int> ExecuteAsync(SqliteCommand command, SqliteWrite write, RotationOperation operation, CancellationToken cancellationToken)
    {
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            // SQLITE_CONSTRAINT aborts the statement only; the transaction can still read.
            if (await FindActiveAsync(write, operation.Key, cancellationToken).ConfigureAwait(false) is { } active && active.OperationId != operation.OperationId)
            {
                Log.OperationConflict(_database.Logger, operation.OperationId, operation.Key, active.OperationId);
                throw new RotationConflictException(operation.Key, active.OperationId, active.Step);
            }

            throw;
        }
    }

    private async IAsyncEnumerable<RotationOperation> QueryAsync(string sql, string? value, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _database.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            if (value is not null)
            {
                command.Parameters.AddWithValue("$value", value);
            }

            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return OperationRows.Read(reader);
                }
            }
        }
    }
}
