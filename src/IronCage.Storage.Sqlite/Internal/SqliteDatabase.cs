using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IronCage.Storage.Sqlite;

/// <summary>
/// One database file as the stores see it: opens pooled connections with IronCage's per-connection settings, applies
/// or checks the schema once, and hands out write transactions one at a time.
/// </summary>
/// <remarks>
/// Writers take the file's write lock up front (<c>BEGIN IMMEDIATE</c>): a transaction that read first and then tried
/// to write could fail at once with SQLITE_BUSY instead of waiting, because SQLite cannot upgrade a reader that another
/// writer has overtaken. Within one process, writers also queue on a semaphore, so they wait without blocking threads;
/// other processes (and other <see cref="SqliteDatabase"/> instances on the same file) wait in SQLite's busy handler
/// for up to <see cref="SqliteStoreOptions.BusyTimeout"/>. Readers never wait for writers: the file is in WAL mode.
/// </remarks>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly string _connectionString;
    private readonly string _connectionPragmas;
    private readonly SemaphoreSlim _initializeGate = new(1, 1);
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    // The physical connections (SQLite handles) this instance already configured: the pool hands the same handle out
    // again with its PRAGMAs still set, so they run once per handle rather than once per call.
    private readonly ConditionalWeakTable<object, object> _configured = new();
    private readonly ILogger _logger;
    private readonly SqliteStoreOptions _options;
    private volatile bool _initialized;

    public SqliteDatabase(IOptions<SqliteStoreOptions> options, ILoggerFactory loggerFactory)
        : this(options?.Value!, loggerFactory)
    {
    }

    public SqliteDatabase(SqliteStoreOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = SqliteStoreOptionsValidator.Check(options);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        // A snapshot: later changes to the caller's options object do not reach a database already in use.
        _options = new SqliteStoreOptions { ConnectionString = options.ConnectionString, ApplyMigrations = options.ApplyMigrations, BusyTimeout = options.BusyTimeout };
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString)
        {
            // Microsoft.Data.Sqlite's own retry loop (command timeout, in seconds) backs up SQLite's busy handler.
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        };
        _connectionString = builder.ConnectionString;
        DataSource = builder.DataSource;
        _connectionPragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(long)Math.Ceiling(options.BusyTimeout.TotalMilliseconds)}; PRAGMA foreign_keys = ON; PRAGMA synchronous = {SynchronousMode};");
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("IronCage.Storage.Sqlite");
    }

    /// <summary>
    /// Every commit is flushed to disk before it returns (FULL). NORMAL, SQLite's usual choice for WAL, survives a
    /// process crash but may forget the last commits on a power loss, and a key store must not forget a key the
    /// provider already issued (an emergency rotation revokes the old key seconds after storing the new one).
    /// </summary>
    private static string SynchronousMode => "FULL";

    /// <summary>Gets the database file as the connection string names it (for messages; never the whole connection string).</summary>
    public string DataSource { get; }

    public ILogger Logger => _logger;

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

    /// <summary>Opens a pooled connection with IronCage's per-connection settings. The caller disposes it.</summary>
    public async ValueTask<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var handle = connection.Handle;
            if (handle is not null && _configured.TryGetValue(handle, out _))
            {
                return connection;
            }

            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = _connectionPragmas;
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            if (handle is not null)
            {
                _configured.AddOrUpdate(handle, handle);
            }

            return connection;
        }
        catch (SqliteException e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw Translate(e);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a read transaction: every statement in it sees the same snapshot of the file.</summary>
    public async ValueTask<(SqliteConnection Connection, SqliteTransaction Transaction)> BeginReadAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return (connection, connection.BeginTransaction(deferred: true));
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Takes the write lock (<c>BEGIN IMMEDIATE</c>) after every earlier writer of this instance finished.</summary>
    public async ValueTask<SqliteWrite> BeginWriteAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        SqliteConnection? connection = null;
        try
        {
            connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var transaction = connection.BeginTransaction(deferred: false);
            return new SqliteWrite(connection, transaction, _writeGate);
        }
        catch (Exception e)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            _writeGate.Release();
            throw e is SqliteException sqlite ? Translate(sqlite) : e;
        }
    }

    public void Dispose()
    {
        _initializeGate.Dispose();
        _writeGate.Dispose();
    }

    /// <summary>Turns SQLite's error codes a user can act on into messages that say what to do.</summary>
    public Exception Translate(SqliteException exception)
    {
        switch (exception.SqliteErrorCode)
        {
            case 5 or 6: // SQLITE_BUSY, SQLITE_LOCKED
                Log.DatabaseBusy(_logger, DataSource, _options.BusyTimeout);
                return new StoreUnavailableException(
                    DataSource,
                    isTransient: true,
                    $"The IronCage database '{DataSource}' stayed locked by another connection for longer than SqliteStoreOptions.BusyTimeout ({_options.BusyTimeout}). Another process holds a long write transaction; raise BusyTimeout or find that process.",
                    exception);
            case 26: // SQLITE_NOTADB
                return new IronCageException($"'{DataSource}' is not a SQLite database (or it is encrypted with a key the connection string does not give). Point SqliteStoreOptions.ConnectionString at an IronCage database file, or at a new file.", exception);
            case 8 or 14: // SQLITE_READONLY, SQLITE_CANTOPEN
                return new IronCageException($"The IronCage database '{DataSource}' cannot be opened for writing ({exception.SqliteErrorCode}). Check that its folder exists and that the process may write the file and its -wal and -shm companions.", exception);
            default:
                return exception;
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                await EnableWalAsync(connection, cancellationToken).ConfigureAwait(false);
                if (_options.ApplyMigrations)
                {
                    await MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var version = await ReadSchemaVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
                    if (version > SqliteConstants.SchemaVersion)
                    {
                        throw SqliteSchemaVersionException.TooNew(DataSource, version);
                    }

                    if (version < SqliteConstants.SchemaVersion)
                    {
                        throw SqliteSchemaVersionException.NotMigrated(DataSource, version);
                    }

                    Log.SchemaChecked(_logger, DataSource, version);
                }
            }
            catch (SqliteException e)
            {
                throw Translate(e);
            }
        }
    }

    private async Task EnableWalAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        // The journal mode is stored in the file: set once, every later connection (and process) uses WAL.
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        var mode = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            Log.WalUnavailable(_logger, DataSource, mode ?? "unknown");
        }
    }

    private async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // BEGIN IMMEDIATE: two processes starting on a new file at once migrate it one after the other; the second
            // then finds it current.
            using var transaction = connection.BeginTransaction(deferred: false);
            using (var create = connection.CreateCommand())
            {
                create.Transaction = transaction;
                create.CommandText = $"""
                    CREATE TABLE IF NOT EXISTS {SqliteConstants.SchemaVersionTable} (
                        version     INTEGER NOT NULL PRIMARY KEY,
                        description TEXT    NOT NULL,
                        applied_at  TEXT    NOT NULL
                    );
                    """;
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var current = await ReadSchemaVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            if (current > SqliteConstants.SchemaVersion)
            {
                throw SqliteSchemaVersionException.TooNew(DataSource, current);
            }

            if (current == SqliteConstants.SchemaVersion)
            {
                Log.SchemaChecked(_logger, DataSource, current);
                return;
            }

            foreach (var migration in SqliteMigrations.All.Where(m => m.Version > current).OrderBy(m => m.Version))
            {
                using (var apply = connection.CreateCommand())
                {
                    apply.Transaction = transaction;
                    apply.CommandText = migration.Sql;
                    await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                using (var record = connection.CreateCommand())
                {
                    record.Transaction = transaction;
                    record.CommandText = $"INSERT INTO {SqliteConstants.SchemaVersionTable} (version, description, applied_at) VALUES ($version, $description, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));";
                    record.Parameters.AddWithValue("$version", migration.Version);
                    record.Parameters.AddWithValue("$description", migration.Description);
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                Log.MigrationApplied(_logger, DataSource, migration.Version, migration.Description);
            }

            transaction.Commit();
            Log.SchemaMigrated(_logger, DataSource, current, SqliteConstants.SchemaVersion);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private static async Task<int> ReadSchemaVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{SqliteConstants.SchemaVersionTable}';";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        command.CommandText = $"SELECT coalesce(max(version), 0) FROM {SqliteConstants.SchemaVersionTable};";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }
}
