using IronCage.Auditing;
using IronCage.Conformance;
using IronCage.Rotation;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Storage.Sqlite.Tests;

public sealed class SqliteKeyStoreConformanceTests : KeyStoreConformanceTests
{
    private readonly TempDatabase _database = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Delete();
    }

    protected override IKeyStore CreateStore() => new SqliteKeyStore(new SqliteStoreOptions { ConnectionString = _database.NewConnectionString() });
}

public sealed class SqliteAuditLogConformanceTests : AuditLogConformanceTests
{
    private readonly TempDatabase _database = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Delete();
    }

    protected override IAuditLog CreateLog() => new SqliteAuditLog(new SqliteStoreOptions { ConnectionString = _database.NewConnectionString() });
}

public sealed class SqliteRotationStoreConformanceTests : RotationStoreConformanceTests
{
    private readonly TempDatabase _database = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Delete();
    }

    protected override IRotationStore CreateStore() => new SqliteRotationStore(new SqliteStoreOptions { ConnectionString = _database.NewConnectionString() });
}

public sealed class SqliteRotationStepStoreConformanceTests : RotationStepStoreConformanceTests
{
    private readonly TempDatabase _database = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Delete();
    }

    [Fact]
    public void PersistToSqlite_AllThreeStores_WritesAStepInOneTransaction()
    {
        using var provider = CreateServices().BuildServiceProvider();

        provider.GetRequiredService<IRotationStepStore>().GetType().Name.Should().Be("SqliteRotationStepStore");
    }

    [Fact]
    public void PersistToSqlite_KeyStoreReplacedByTheHost_WritesStepsOneStoreAfterTheOther()
    {
        var services = CreateServices();
        services.AddSingleton<IKeyStore, InMemoryKeyStore>();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IRotationStepStore>().Should().BeOfType<SequentialRotationStepStore>();
    }

    protected override ServiceCollection CreateServices()
    {
        var services = new ServiceCollection();
        AddIronCageWithRotation(services).PersistToSqlite(_database.NewConnectionString());
        return services;
    }
}

public sealed class SqliteUsageStoreConformanceTests : UsageStoreConformanceTests
{
    private readonly TempDatabase _database = new();
    private readonly Dictionary<IUsageStore, string> _connectionStrings = [];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Delete();
    }

    protected override IUsageStore CreateStore()
    {
        var connectionString = _database.NewConnectionString();
        var store = new SqliteUsageStore(new SqliteStoreOptions { ConnectionString = connectionString });
        _connectionStrings[store] = connectionString;
        return store;
    }

    // Another store object has its own SqliteDatabase (its own in-process write queue), so the two contend for the
    // file's write lock exactly as two processes would.
    protected override IUsageStore CreateSecondInstance(IUsageStore store)
        => new SqliteUsageStore(new SqliteStoreOptions { ConnectionString = _connectionStrings[store] });
}

public sealed class SqliteLegacyRowConformanceTests : LegacyRowConformanceTests
{
    private readonly TempDatabase _database = new();
    private readonly List<IDisposable> _stores = [];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _stores.ForEach(s => s.Dispose());
        _database.Delete();
    }

    protected override IKeyStore CreateKeyStore() => Track(new SqliteKeyStore(_database.Options()));

    protected override IRotationStore CreateRotationStore() => Track(new SqliteRotationStore(_database.Options()));

    protected override Task ExecuteAsync(string sql)
    {
        using var connection = _database.OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery().Should().Be(1, "the statement changes the one legacy row");
        return Task.CompletedTask;
    }

    private T Track<T>(T store)
        where T : IDisposable
    {
        _stores.Add(store);
        return store;
    }
}

public sealed class SqliteInstanceHeartbeatStoreConformanceTests : InstanceHeartbeatStoreConformanceTests
{
    private readonly TempDatabase _database = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Delete();
    }

    protected override ServiceCollection CreateServices()
    {
        var services = new ServiceCollection();
        AddIronCageWithRotation(services).PersistToSqlite(_database.NewConnectionString());
        return services;
    }
}

public sealed class SqliteKeyRewrapConformanceTests : KeyRewrapConformanceTests
{
    private readonly TempDatabase _database = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _database.Delete();
    }

    protected override IIronCageBuilder Persist(IIronCageBuilder builder) => builder.PersistToSqlite(_database.ConnectionString);
}

public sealed class SqliteStoreBackupConformanceTests : StoreBackupConformanceTests
{
    private readonly TempDatabase _database = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _database.Delete();
    }

    protected override IIronCageBuilder Persist(IIronCageBuilder builder, int database)
        => builder.PersistToSqlite("Data Source=" + Path.Combine(_database.Folder, $"backup-{database}.db"));
}
