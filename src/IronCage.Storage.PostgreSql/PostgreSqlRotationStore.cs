using System.Runtime.CompilerServices;
using IronCage.Rotation;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using NodaTime;

namespace IronCage.Storage.PostgreSql;

/// <summary>
/// An <see cref="IRotationStore"/> in a PostgreSQL database: rotation operations in
/// <c>ironcage_rotation_operations</c> and leases in <c>ironcage_rotation_leases</c>. A new key's secret, while an
/// operation carries it, is stored only sealed. Thread-safe; any number of instances may share one database.
/// </summary>
/// <remarks>
/// A partial unique index on the key of unfinished operations makes the database itself refuse a second unfinished
/// operation for a key, whoever writes. A lease is taken in one short transaction: the lease row is locked with
/// <c>SELECT … FOR UPDATE SKIP LOCKED</c> (an instance racing another for it gives up at once rather than queueing) and
/// taken over if it expired, or inserted with <c>ON CONFLICT DO NOTHING</c> if there is none; either way with a fencing
/// token from the sequence <c>ironcage_rotation_lease_token</c>, so a later holder always has a greater token. No
/// session-level (advisory) lock is used: the store works behind PgBouncer in transaction mode.
/// </remarks>
public sealed class PostgreSqlRotationStore : IRotationStore, IDisposable
{
    private const string ActiveIndex = "ux_ironcage_rotation_operations_active";

    private const string SelectOperations = OperationRows.Select;

    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;

    /// <summary>Creates a store on the database that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string (or data source) and settings.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, ...).</exception>
    public PostgreSqlRotationStore(PostgreSqlStoreOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates a store on the database that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string (or data source) and settings.</param>
    /// <param name="loggerFactory">Creates the store's logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, ...).</exception>
    public PostgreSqlRotationStore(PostgreSqlStoreOptions options, ILoggerFactory? loggerFactory)
        : this(new PostgreSqlDatabase(options, loggerFactory), ownsDatabase: true)
    {
    }

    internal PostgreSqlRotationStore(PostgreSqlDatabase database, bool ownsDatabase)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
    }

    /// <inheritdoc />
    public async ValueTask<RotationOperation> CreateAsync(RotationOperation operation, CancellationToken cancellationToken = default)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(operation);
            cancellationToken.ThrowIfCancellationRequested();
            var body = StorageJson.WriteOperation(operation);

            long? token;
            var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
            await using (write.ConfigureAwait(false))
            {
                token = await CreateInAsync(write, operation, body, cancellationToken).ConfigureAwait(false);
                if (token is { } created)
                {
                    await write.CommitAsync().ConfigureAwait(false);
                    return operation with { ConcurrencyToken = created };
                }
            }

            throw await CreateConflictAsync(operation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<RotationOperation?> FindAsync(string operationId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operationId);
        cancellationToken.ThrowIfCancellationRequested();
        await foreach (var operation in QueryAsync(SelectOperations + " WHERE operation_id = @value;", operationId, cancellationToken).ConfigureAwait(false))
        {
            return operation;
        }

        return null;
    }

    /// <inheritdoc />
    public async ValueTask<RotationOperation?> FindActiveAsync(KeyReference key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await foreach (var operation in QueryAsync(SelectOperations + " WHERE key_reference = @value AND NOT finished;", key.ToString(), cancellationToken).ConfigureAwait(false))
        {
            return operation;
        }

        return null;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<RotationOperation> ListActiveAsync(CancellationToken cancellationToken = default)
        => QueryAsync(SelectOperations + " WHERE NOT finished ORDER BY requested_at, token;", null, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<RotationOperation> ListForKeyAsync(KeyReference key, CancellationToken cancellationToken = default)
        => QueryAsync(SelectOperations + " WHERE key_reference = @value ORDER BY requested_at DESC, token DESC;", key.ToString(), cancellationToken);

    /// <inheritdoc />
    public async ValueTask<RotationOperation> UpdateAsync(RotationOperation operation, CancellationToken cancellationToken = default)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(operation);
            cancellationToken.ThrowIfCancellationRequested();
            var body = StorageJson.WriteOperation(operation);

            var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
            await using (write.ConfigureAwait(false))
            {
                if (await UpdateInAsync(write, operation, body, cancellationToken).ConfigureAwait(false) is { } token)
                {
                    await write.CommitAsync().ConfigureAwait(false);
                    return operation with { ConcurrencyToken = token };
                }
            }

            throw await UpdateConflictAsync(operation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    internal PostgreSqlDatabase Database => _database;

    /// <summary>Inserts inside <paramref name="write"/>; the new token, or <see langword="null"/> when refused (the transaction is then aborted: roll it back, then ask <see cref="CreateConflictAsync"/>).</summary>
    internal static async ValueTask<long?> CreateInAsync(PostgreSqlWrite write, RotationOperation operation, string body, CancellationToken cancellationToken)
    {
        using var insert = write.Command("""
            INSERT INTO ironcage_rotation_operations (operation_id, key_reference, step, finished, requested_at, updated_at, token, body,
                                                      new_secret_format, new_kek_id, new_wrapped_data_key, new_nonce, new_ciphertext)
            VALUES (@operation_id, @key_reference, @step, @finished, @requested_at, @updated_at, nextval('ironcage_rotation_operation_token'), @body,
                    @new_secret_format, @new_kek_id, @new_wrapped_data_key, @new_nonce, @new_ciphertext)
            ON CONFLICT (operation_id) DO NOTHING
            RETURNING token;
            """);
        Bind(insert, operation, body);
        return await ExecuteAsync(insert, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Updates inside <paramref name="write"/> if the token matches; the new token, or <see langword="null"/> when refused (roll back, then ask <see cref="UpdateConflictAsync"/>).</summary>
    internal static async ValueTask<long?> UpdateInAsync(PostgreSqlWrite write, RotationOperation operation, string body, CancellationToken cancellationToken)
    {
        using var update = write.Command("""
            UPDATE ironcage_rotation_operations
            SET key_reference = @key_reference, step = @step, finished = @finished, requested_at = @requested_at, updated_at = @updated_at,
                token = nextval('ironcage_rotation_operation_token'), body = @body, new_secret_format = @new_secret_format, new_kek_id = @new_kek_id,
                new_wrapped_data_key = @new_wrapped_data_key, new_nonce = @new_nonce, new_ciphertext = @new_ciphertext
            WHERE operation_id = @operation_id AND token = @expected
            RETURNING token;
            """);
        Bind(update, operation, body);
        update.Parameters.AddWithValue("expected", operation.ConcurrencyToken);
        return await ExecuteAsync(update, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The exception for a refused create, read after the transaction rolled back.</summary>
    internal async ValueTask<Exception> CreateConflictAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        await ThrowIfActiveAsync(operation, cancellationToken).ConfigureAwait(false);
        return new ArgumentException($"Rotation operation '{operation.OperationId}' already exists; create each operation with a new id (RotationOperation.NewOperationId()).", nameof(operation));
    }

    /// <summary>The exception for a refused update, read after the transaction rolled back.</summary>
    internal async ValueTask<Exception> UpdateConflictAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        // Either the token moved on (another writer), or the update would reopen an operation of a key that has another
        // one under way (the partial unique index refused it).
        await ThrowIfActiveAsync(operation, cancellationToken).ConfigureAwait(false);
        var stored = await FindAsync(operation.OperationId, cancellationToken).ConfigureAwait(false);
        Log.OperationConflict(_database.Logger, operation.OperationId, operation.Key, null);
        return new RotationConflictException(operation.Key, operation.OperationId, stored?.Step ?? operation.Step);
    }

    /// <inheritdoc />
    public async ValueTask<RotationLease?> TryAcquireLeaseAsync(string resource, string owner, Duration duration, Instant now, CancellationToken cancellationToken = default)
    {
        try
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(resource);
            ArgumentException.ThrowIfNullOrWhiteSpace(owner);
            cancellationToken.ThrowIfCancellationRequested();
            var expiresAt = now + duration;

            var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
            await using (write.ConfigureAwait(false))
            {
                // The lease row, if it exists and no other acquirer has it locked this instant. SKIP LOCKED: an instance
                // racing another for the same lease gives up at once instead of queueing behind it, and no row stays
                // locked beyond this transaction (nothing session-level, so PgBouncer transaction mode is fine).
                long? expiry = null;
                var exists = false;
                using (var select = write.Command("SELECT expires_at FROM ironcage_rotation_leases WHERE resource = @resource FOR UPDATE SKIP LOCKED;"))
                {
                    select.Parameters.AddWithValue("resource", resource);
                    if (await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long found)
                    {
                        (exists, expiry) = (true, found);
                    }
                }

                long? token;
                if (exists)
                {
                    // Not re-entrant: an unexpired lease is refused to everyone, its owner included.
                    if (expiry > PostgreSqlValues.Ticks(now))
                    {
                        return null;
                    }

                    // Expired: take it over under the row lock, with a fencing token greater than the last holder's.
                    using var takeOver = write.Command("""
                        UPDATE ironcage_rotation_leases SET owner = @owner, expires_at = @expires_at, token = nextval('ironcage_rotation_lease_token')
                        WHERE resource = @resource
                        RETURNING token;
                        """);
                    takeOver.Parameters.AddWithValue("resource", resource);
                    takeOver.Parameters.AddWithValue("owner", owner);
                    takeOver.Parameters.AddWithValue("expires_at", PostgreSqlValues.Ticks(expiresAt));
                    token = await takeOver.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
                }
                else
                {
                    // No row we could lock: it does not exist yet, or another acquirer holds it locked. Insert it; a
                    // conflict (the row exists, or a racing insert committed first) means someone else has it.
                    using var insert = write.Command("""
                        INSERT INTO ironcage_rotation_leases (resource, owner, expires_at, token)
                        VALUES (@resource, @owner, @expires_at, nextval('ironcage_rotation_lease_token'))
                        ON CONFLICT (resource) DO NOTHING
                        RETURNING token;
                        """);
                    insert.Parameters.AddWithValue("resource", resource);
                    insert.Parameters.AddWithValue("owner", owner);
                    insert.Parameters.AddWithValue("expires_at", PostgreSqlValues.Ticks(expiresAt));
                    token = await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
                }

                if (token is not { } granted)
                {
                    return null;
                }

                await write.CommitAsync().ConfigureAwait(false);
                return new RotationLease(resource, owner, expiresAt, granted);
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<RotationLease?> RenewLeaseAsync(RotationLease lease, Duration duration, Instant now, CancellationToken cancellationToken = default)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(lease);
            cancellationToken.ThrowIfCancellationRequested();
            var expiresAt = now + duration;

            var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                // Still held if nobody took it over since: its token is unchanged (even if it expired in the meantime).
                using var renew = new NpgsqlCommand("UPDATE ironcage_rotation_leases SET expires_at = @expires_at WHERE resource = @resource AND token = @token;", connection);
                renew.Parameters.AddWithValue("expires_at", PostgreSqlValues.Ticks(expiresAt));
                renew.Parameters.AddWithValue("resource", lease.Resource);
                renew.Parameters.AddWithValue("token", lease.Token);
                return await renew.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0 ? null : lease with { ExpiresAt = expiresAt };
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    /// <inheritdoc />
    public async ValueTask ReleaseLeaseAsync(RotationLease lease, CancellationToken cancellationToken = default)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(lease);
            cancellationToken.ThrowIfCancellationRequested();
            var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                using var release = new NpgsqlCommand("DELETE FROM ironcage_rotation_leases WHERE resource = @resource AND token = @token;", connection);
                release.Parameters.AddWithValue("resource", lease.Resource);
                release.Parameters.AddWithValue("token", lease.Token);
                await release.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
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

    private static void Bind(NpgsqlCommand command, RotationOperation operation, string body)
    {
        command.Parameters.AddWithValue("operation_id", operation.OperationId);
        command.Parameters.AddWithValue("key_reference", operation.Key.ToString());
        command.Parameters.AddWithValue("step", (int)operation.Step);
        command.Parameters.AddWithValue("finished", operation.IsFinished);
        command.Parameters.AddWithValue("requested_at", PostgreSqlValues.Ticks(operation.RequestedAt));
        command.Parameters.AddWithValue("updated_at", PostgreSqlValues.Ticks(operation.UpdatedAt));
        command.Parameters.AddWithValue("body", body);
        var secret = operation.NewSecret;
        PostgreSqlValues.Add(command, "new_secret_format", NpgsqlDbType.Integer, secret?.FormatVersion);
        PostgreSqlValues.Add(command, "new_kek_id", NpgsqlDbType.Text, secret?.KeyEncryptionKeyId);
        PostgreSqlValues.Add(command, "new_wrapped_data_key", NpgsqlDbType.Bytea, secret?.WrappedDataKey.ToArray());
        PostgreSqlValues.Add(command, "new_nonce", NpgsqlDbType.Bytea, secret?.Nonce.ToArray());
        PostgreSqlValues.Add(command, "new_ciphertext", NpgsqlDbType.Bytea, secret?.Ciphertext.ToArray());
    }

    /// <summary>Runs an insert or update that returns the new token; <see langword="null"/> when no row was written or the partial unique index refused it.</summary>
    private static async ValueTask<long?> ExecuteAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        try
        {
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long token ? token : null;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == ActiveIndex)
        {
            // The transaction is aborted; the caller rolls it back and reports the operation under way.
            return null;
        }
    }

    /// <summary>Throws the conflict when another operation of the key is under way (read after the failed write rolled back).</summary>
    private async ValueTask ThrowIfActiveAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        if (await FindActiveAsync(operation.Key, cancellationToken).ConfigureAwait(false) is { } active && active.OperationId != operation.OperationId)
        {
            Log.OperationConflict(_database.Logger, operation.OperationId, operation.Key, active.OperationId);
            throw new RotationConflictException(operation.Key, active.OperationId, active.Step);
        }
    }

    private IAsyncEnumerable<RotationOperation> QueryAsync(string sql, string? value, CancellationToken cancellationToken)
        => _database.GuardAsync(QueryCoreAsync(sql, value, cancellationToken), cancellationToken);

    private async IAsyncEnumerable<RotationOperation> QueryCoreAsync(string sql, string? value, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = new NpgsqlCommand(sql, connection);
            if (value is not null)
            {
                command.Parameters.AddWithValue("value", value);
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
