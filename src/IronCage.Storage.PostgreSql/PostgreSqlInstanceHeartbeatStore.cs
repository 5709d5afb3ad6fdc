using Microsoft.Extensions.Logging;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace IronCage.Storage.PostgreSql;

/// <summary>
/// An <see cref="IInstanceHeartbeatStore"/> in a PostgreSQL database: one row per host instance in
/// <c>ironcage_instance_heartbeats</c>, and <see cref="KeyVersion.LastUsedAt"/> moved forward in
/// <c>ironcage_key_versions</c> in the same transaction (no new key token, no state seal change, no <c>NOTIFY</c>).
/// Any number of instances may share one database.
/// </summary>
public sealed class PostgreSqlInstanceHeartbeatStore : IInstanceHeartbeatStore, IDisposable
{
    private static readonly Duration Retention = Duration.FromDays(1);

    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;

    /// <summary>Creates a store on the database that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string (or data source) and settings.</param>
    /// <param name="loggerFactory">Creates the store's logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, ...).</exception>
    public PostgreSqlInstanceHeartbeatStore(PostgreSqlStoreOptions options, ILoggerFactory? loggerFactory = null)
        : this(new PostgreSqlDatabase(options, loggerFactory), ownsDatabase: true)
    {
    }

    internal PostgreSqlInstanceHeartbeatStore(PostgreSqlDatabase database, bool ownsDatabase)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(InstanceHeartbeat heartbeat, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        ArgumentException.ThrowIfNullOrWhiteSpace(heartbeat.InstanceId);
        var used = heartbeat.Versions.Where(v => v.LastUsedAt is not null).ToList();
        try
        {
            var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    using var batch = new NpgsqlBatch(connection, transaction);
                    var upsert = new NpgsqlBatchCommand("""
                        INSERT INTO ironcage_instance_heartbeats (instance_id, sent_at, body) VALUES (@instance_id, @sent_at, @body)
                        ON CONFLICT (instance_id) DO UPDATE SET sent_at = excluded.sent_at, body = excluded.body;
                        """);
                    upsert.Parameters.AddWithValue("instance_id", heartbeat.InstanceId);
                    upsert.Parameters.AddWithValue("sent_at", PostgreSqlValues.Ticks(heartbeat.SentAt));
                    upsert.Parameters.AddWithValue("body", StorageJson.WriteHeartbeat(heartbeat));
                    batch.BatchCommands.Add(upsert);
                    var expire = new NpgsqlBatchCommand("DELETE FROM ironcage_instance_heartbeats WHERE sent_at < @expired;");
                    expire.Parameters.AddWithValue("expired", PostgreSqlValues.Ticks(heartbeat.SentAt - Retention));
                    batch.BatchCommands.Add(expire);
                    if (used.Count > 0)
                    {
                        var touch = new NpgsqlBatchCommand("""
                            UPDATE ironcage_key_versions AS v SET last_used_at = u.used
                            FROM unnest(@references, @version_ids, @used) AS u(reference, version_id, used)
                            WHERE v.reference = u.reference AND v.version_id = u.version_id AND (v.last_used_at IS NULL OR v.last_used_at < u.used);
                            """);
                        touch.Parameters.Add(new NpgsqlParameter("references", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = used.Select(v => v.Key.ToString()).ToArray() });
                        touch.Parameters.Add(new NpgsqlParameter("version_ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = used.Select(v => v.VersionId).ToArray() });
                        touch.Parameters.Add(new NpgsqlParameter("used", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = used.Select(v => PostgreSqlValues.Ticks(v.LastUsedAt!.Value)).ToArray() });
                        batch.BatchCommands.Add(touch);
                    }

                    await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<InstanceHeartbeat>> ListAsync(Instant since, CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                using var command = new NpgsqlCommand("SELECT instance_id, sent_at, body FROM ironcage_instance_heartbeats WHERE sent_at >= @since ORDER BY instance_id;", connection);
                command.Parameters.AddWithValue("since", PostgreSqlValues.Ticks(since));
                var heartbeats = new List<InstanceHeartbeat>();
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        heartbeats.Add(StorageJson.ReadHeartbeat(reader.GetString(0), Instant.FromUnixTimeTicks(reader.GetInt64(1)), reader.GetString(2)));
                    }
                }

                return heartbeats;
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    /// <inheritdoc />
    public async ValueTask RemoveAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        try
        {
            var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                using var delete = new NpgsqlCommand("DELETE FROM ironcage_instance_heartbeats WHERE instance_id = @instance_id;", connection);
                delete.Parameters.AddWithValue("instance_id", instanceId);
                await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    /// <summary>Closes the database when this store opened it.</summary>
    public void Dispose()
    {
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }
}
