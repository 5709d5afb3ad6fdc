using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Storage.Sqlite;

/// <summary>
/// An <see cref="IInstanceHeartbeatStore"/> in a SQLite database file: one row per host instance in
/// <c>ironcage_instance_heartbeats</c>, and <see cref="KeyVersion.LastUsedAt"/> moved forward in
/// <c>ironcage_key_versions</c> in the same transaction (no new key token, no state seal change, no change event).
/// Several processes may share one file.
/// </summary>
public sealed class SqliteInstanceHeartbeatStore : IInstanceHeartbeatStore, IDisposable
{
    private static readonly Duration Retention = Duration.FromDays(1);

    private readonly SqliteDatabase _database;
    private readonly bool _ownsDatabase;

    /// <summary>Creates a store on the database file that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string and settings.</param>
    /// <param name="loggerFactory">Creates the store's logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, an in-memory database, ...).</exception>
    public SqliteInstanceHeartbeatStore(SqliteStoreOptions options, ILoggerFactory? loggerFactory = null)
        : this(new SqliteDatabase(options, loggerFactory), ownsDatabase: true)
    {
    }

    internal SqliteInstanceHeartbeatStore(SqliteDatabase database, bool ownsDatabase)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(InstanceHeartbeat heartbeat, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        ArgumentException.ThrowIfNullOrWhiteSpace(heartbeat.InstanceId);
        var body = StorageJson.WriteHeartbeat(heartbeat);
        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            using (var upsert = write.Command("""
                INSERT INTO ironcage_instance_heartbeats (instance_id, sent_at, body) VALUES ($instance_id, $sent_at, $body)
                ON CONFLICT (instance_id) DO UPDATE SET sent_at = excluded.sent_at, body = excluded.body;
                DELETE FROM ironcage_instance_heartbeats WHERE sent_at < $expired;
                """))
            {
                upsert.Parameters.AddWithValue("$instance_id", heartbeat.InstanceId);
                upsert.Parameters.AddWithValue("$sent_at", SqliteValues.Ticks(heartbeat.SentAt));
                upsert.Parameters.AddWithValue("$body", body);
                upsert.Parameters.AddWithValue("$expired", SqliteValues.Ticks(heartbeat.SentAt - Retention));
                await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (heartbeat.Versions.Any(v => v.LastUsedAt is not null))
            {
                using var touch = write.Command("""
                    UPDATE ironcage_key_versions SET last_used_at = $used
                    WHERE reference = $reference AND version_id = $version_id AND (last_used_at IS NULL OR last_used_at < $used);
                    """);
                var reference = SqliteValues.Parameter(touch, "$reference", SqliteType.Text);
                var versionId = SqliteValues.Parameter(touch, "$version_id", SqliteType.Text);
                var used = SqliteValues.Parameter(touch, "$used", SqliteType.Integer);
                foreach (var version in heartbeat.Versions)
                {
                    if (version.LastUsedAt is { } usedAt)
                    {
                        reference.Value = version.Key.ToString();
                        versionId.Value = version.VersionId;
                        used.Value = SqliteValues.Ticks(usedAt);
                        await touch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            write.Commit();
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<InstanceHeartbeat>> ListAsync(Instant since, CancellationToken cancellationToken = default)
    {
        await _database.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT instance_id, sent_at, body FROM ironcage_instance_heartbeats WHERE sent_at >= $since ORDER BY instance_id;";
            command.Parameters.AddWithValue("$since", SqliteValues.Ticks(since));
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

    /// <inheritdoc />
    public async ValueTask RemoveAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            using var delete = write.Command("DELETE FROM ironcage_instance_heartbeats WHERE instance_id = $instance_id;");
            delete.Parameters.AddWithValue("$instance_id", instanceId);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            write.Commit();
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
