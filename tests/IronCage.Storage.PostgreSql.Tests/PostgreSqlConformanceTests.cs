using IronCage.Auditing;
using IronCage.Conformance;
using IronCage.Rotation;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Storage.PostgreSql.Tests;

[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlKeyStoreConformanceTests(PostgresServer server) : KeyStoreConformanceTests
{
    protected override IKeyStore CreateStore() => new PostgreSqlKeyStore(new PostgreSqlStoreOptions { ConnectionString = server.CreateDatabase() });
}

[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlAuditLogConformanceTests(PostgresServer server) : AuditLogConformanceTests
{
    protected override IAuditLog CreateLog() => new PostgreSqlAuditLog(new PostgreSqlStoreOptions { ConnectionString = server.CreateDatabase() });
}

[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlRotationStoreConformanceTests(PostgresServer server) : RotationStoreConformanceTests
{
    protected override IRotationStore CreateStore() => new PostgreSqlRotationStore(new PostgreSqlStoreOptions { ConnectionString = server.CreateDatabase() });
}

[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlRotationStepStoreConformanceTests(PostgresServer server) : RotationStepStoreConformanceTests
{
    [ConformanceFact]
    public void PersistToPostgreSql_AllThreeStores_WritesAStepInOneTransaction()
    {
        using var provider = CreateServices().BuildServiceProvider();

        provider.GetRequiredService<IRotationStepStore>().GetType().Name.Should().Be("PostgreSqlRotationStepStore");
    }

    protected override ServiceCollection CreateServices()
    {
        var services = new ServiceCollection();
        AddIronCageWithRotation(services).PersistToPostgreSql(server.CreateDatabase());
        return services;
    }
}

[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlUsageStoreConformanceTests(PostgresServer server) : UsageStoreConformanceTests
{
    private readonly Dictionary<IUsageStore, string> _connectionStrings = [];

    protected override IUsageStore CreateStore()
    {
        var connectionString = server.CreateDatabase();
        var store = new PostgreSqlUsageStore(new PostgreSqlStoreOptions { ConnectionString = connectionString });
        _connectionStrings[store] = connectionString;
        return store;
    }

    // A second store with its own data source (its own connection pool): a second host instance on the same database.
    protected override IUsageStore CreateSecondInstance(IUsageStore store)
        => new PostgreSqlUsageStore(new PostgreSqlStoreOptions { ConnectionString = _connectionStrings[store] });
}

[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlLegacyRowConformanceTests(PostgresServer server) : LegacyRowConformanceTests
{
    private readonly List<IDisposable> _stores = [];
    private string? _connectionString;

    private string ConnectionString => _connectionString ??= server.CreateDatabase();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _stores.ForEach(s => s.Dispose());
    }

    protected override IKeyStore CreateKeyStore() => Track(new PostgreSqlKeyStore(new PostgreSqlStoreOptions { ConnectionString = ConnectionString }));

    protected override IRotationStore CreateRotationStore() => Track(new PostgreSqlRotationStore(new PostgreSqlStoreOptions { ConnectionString = ConnectionString }));

    protected override async Task ExecuteAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        (await command.ExecuteNonQueryAsync()).Should().Be(1, "the statement changes the one legacy row");
    }

    private T Track<T>(T store)
        where T : IDisposable
    {
        _stores.Add(store);
        return store;
    }
}

[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlInstanceHeartbeatStoreConformanceTests(PostgresServer server) : InstanceHeartbeatStoreConformanceTests
{
    protected override ServiceCollection CreateServices()
    {
        var services = new ServiceCollection();
        AddIronCageWithRotation(services).PersistToPostgreSql(server.CreateDatabase());
        return services;
    }
}

[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlKeyRewrapConformanceTests(PostgresServer server) : KeyRewrapConformanceTests
{
    private readonly string _connectionString = PostgresServer.SkipReason is null ? server.CreateDatabase() : string.Empty;

    protected override IIronCageBuilder Persist(IIronCageBuilder builder) => builder.PersistToPostgreSql(_connectionString);
}

[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlStoreBackupConformanceTests(PostgresServer server) : StoreBackupConformanceTests
{
    private readonly Dictionary<int, string> _databases = [];

    protected override IIronCageBuilder Persist(IIronCageBuilder builder, int database)
    {
        if (!_databases.TryGetValue(database, out var connectionString))
        {
            connectionString = _databases[database] = server.CreateDatabase();
        }

        return builder.PersistToPostgreSql(connectionString);
    }
}

/// <summary>The store migration the backup is for: exported from an SQLite file, restored into PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class SqliteToPostgreSqlStoreBackupConformanceTests(PostgresServer server) : StoreBackupConformanceTests
{
    private readonly string _sqliteFile = Path.Combine(Path.GetTempPath(), "ironcage-backup-tests", Guid.NewGuid().ToString("N") + ".db");
    private readonly Dictionary<int, string> _databases = [];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_sqliteFile);
    }

    protected override IIronCageBuilder PersistSource(IIronCageBuilder builder)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_sqliteFile)!);
        return builder.PersistToSqlite("Data Source=" + _sqliteFile);
    }

    protected override IIronCageBuilder Persist(IIronCageBuilder builder, int database)
    {
        if (!_databases.TryGetValue(database, out var connectionString))
        {
            connectionString = _databases[database] = server.CreateDatabase();
        }

        return builder.PersistToPostgreSql(connectionString);
    }
}
