using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace IronCage.Storage.PostgreSql;

/// <summary>
/// One database as the stores see it: hands out pooled connections from an <see cref="NpgsqlDataSource"/> and applies
/// or checks the schema once.
/// </summary>
/// <remarks>
/// Nothing here holds session state between statements: every write is one transaction on one connection, and locks
/// are row locks or transaction-level advisory locks, so the stores work behind PgBouncer in transaction mode.
/// </remarks>
internal sealed class PostgreSqlDatabase : IDisposable
{
    private readonly SemaphoreSlim _initializeGate = new(1, 1);
    private readonly bool _ownsDataSource;
    private readonly bool _applyMigrations;
    private volatile bool _initialized;

    public PostgreSqlDatabase(IOptions<PostgreSqlStoreOptions> options, ILoggerFactory loggerFactory)
        : this(options?.Value!, loggerFactory)
    {
    }

    public PostgreSqlDatabase(PostgreSqlStoreOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = PostgreSqlStoreOptionsValidator.Check(options);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _applyMigrations = options.ApplyMigrations;
        if (options.DataSource is { } dataSource)
        {
            DataSource = dataSource;
        }
        else
        {
            DataSource = NpgsqlDataSource.Create(WithoutResetOnClose(options.ConnectionString!));
            _ownsDataSource = true;
        }

        var builder = new NpgsqlConnectionStringBuilder(DataSource.ConnectionString);
        Name = string.Create(CultureInfo.InvariantCulture, $"{builder.Host}/{builder.Database}");
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("IronCage.Storage.PostgreSql");
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>
    /// The stores keep no session state (one transaction per write, transaction-level locks only, the change feed's
    /// <c>LISTEN</c> undone before its connection goes back), so a pooled connection need not be reset with
    /// <c>DISCARD ALL</c> each time it is handed back: that is one statement and one server transaction less per store
    /// call. A connection string that sets <c>No Reset On Close</c> itself keeps its choice; a host's own
    /// <see cref="NpgsqlDataSource"/> is used as it is.
    /// </summary>
    internal static string WithoutResetOnClose(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (string key in given.Keys)
        {
            if (string.Equals(key.Replace(" ", string.Empty, StringComparison.Ordinal), "NoResetOnClose", StringComparison.OrdinalIgnoreCase))
            {
                return connectionString;
            }
        }

        return new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString;
    }

    /// <summary>
    /// Gets this database object's id, sent with every usage notification so that the feed over the same object (one
    /// host instance) skips the flushes it made itself: its live counters hold them already.
    /// </summary>
    public string Origin { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Gets the database as host and database name (for messages; never the whole connection string).</summary>
    public string Name { get; }

    public ILogger Logger { get; }

    /// <summary>Applies the schema (or checks it, when migrations are off) unless that was done already.</summary>
    public async ValueTask EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initializeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            await InitializeAsync(cancellationToken).ConfigureAwait(false);
            _initialized = true;
        }
        finally
        {
            _initializeGate.Release();
        }
    }

    /// <summary>Opens a pooled connection after the schema is in place. The caller disposes it.</summary>
    public async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a connection and begins a READ COMMITTED transaction on it. Disposing it without committing rolls back.</summary>
    public async ValueTask<PostgreSqlWrite> BeginWriteAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            return new PostgreSqlWrite(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose()
    {
        _initializeGate.Dispose();
        if (_ownsDataSource)
        {
            DataSource.Dispose();
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                if (!_applyMigrations)
                {
                    var version = await ReadSchemaVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                    if (version > PostgreSqlConstants.SchemaVersion)
                    {
                        throw PostgreSqlSchemaVersionException.TooNew(Name, version);
                    }

                    if (version < PostgreSqlConstants.SchemaVersion)
                    {
                        throw PostgreSqlSchemaVersionException.NotMigrated(Name, version);
                    }

                    Log.SchemaChecked(Logger, Name, version);
                    return;
                }

                await MigrateAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task MigrateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        // A transaction-level advisory lock: instances starting together on a new database migrate it one after the
        // other (the second then finds it current). It ends with the transaction, so nothing is left held on a pooled
        // or PgBouncer-shared session.
        using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key);", connection, transaction))
        {
            command.Parameters.AddWithValue("key", PostgreSqlConstants.MigrationLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using (var create = new NpgsqlCommand(
            $"""
            CREATE TABLE IF NOT EXISTS {PostgreSqlConstants.SchemaVersionTable} (
                version     integer     NOT NULL PRIMARY KEY,
                description text        NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            );
            """,
            connection,
            transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var current = await ReadSchemaVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (current > PostgreSqlConstants.SchemaVersion)
        {
            throw PostgreSqlSchemaVersionException.TooNew(Name, current);
        }

        if (current == PostgreSqlConstants.SchemaVersion)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Log.SchemaChecked(Logger, Name, current);
            return;
        }

        foreach (var migration in PostgreSqlMigrations.All.Where(m => m.Version > current).OrderBy(m => m.Version))
        {
            using (var apply = new NpgsqlCommand(migration.Sql, connection, transaction))
            {
                await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            using (var record = new NpgsqlCommand($"INSERT INTO {PostgreSqlConstants.SchemaVersionTable} (version, description) VALUES (@version, @description);", connection, transaction))
            {
                record.Parameters.AddWithValue("version", migration.Version);
                record.Parameters.AddWithValue("description", migration.Description);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            Log.MigrationApplied(Logger, Name, migration.Version, migration.Description);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Log.SchemaMigrated(Logger, Name, current, PostgreSqlConstants.SchemaVersion);
    }

    private static async Task<int> ReadSchemaVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand($"SELECT to_regclass('{PostgreSqlConstants.SchemaVersionTable}') IS NOT NULL;", connection, transaction);
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
        {
            return 0;
        }

        command.CommandText = $"SELECT coalesce(max(version), 0) FROM {PostgreSqlConstants.SchemaVersionTable};";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }
}
