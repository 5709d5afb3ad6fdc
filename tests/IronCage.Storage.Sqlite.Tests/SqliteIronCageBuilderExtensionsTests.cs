using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage.Storage.Sqlite.Tests;

public sealed class SqliteIronCageBuilderExtensionsTests : IDisposable
{
    private static readonly string MasterKey = LocalMasterKeyProvider.GenerateMasterKey();
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Delete();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PersistToSqlite_ReplacesTheInMemoryStoresWhetherRotationIsAddedBeforeOrAfter(bool rotationFirst)
    {
        var logs = new RecordingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        var ironCage = services.AddIronCage().ProtectKeysWithMasterKey(MasterKey);
        if (rotationFirst)
        {
            ironCage.AddRotation().PersistToSqlite(_database.ConnectionString);
        }
        else
        {
            ironCage.PersistToSqlite(_database.ConnectionString).AddRotation();
        }

        using var provider = services.BuildServiceProvider(validateScopes: true);

        provider.GetRequiredService<IKeyStore>().Should().BeOfType<SqliteKeyStore>();
        provider.GetRequiredService<IAuditLog>().Should().BeOfType<SqliteAuditLog>();
        provider.GetRequiredService<IRotationStore>().Should().BeOfType<SqliteRotationStore>();
        provider.GetServices<IKeyStore>().Should().ContainSingle();
        provider.GetServices<IAuditLog>().Should().ContainSingle();
        provider.GetServices<IRotationStore>().Should().ContainSingle();
        provider.GetRequiredService<IUsageStore>().Should().BeOfType<SqliteUsageStore>("the usage slot is filled like the other stores");
        provider.GetServices<IUsageStore>().Should().ContainSingle();
        provider.GetRequiredService<IKeyStore>().Should().BeSameAs(provider.GetRequiredService<SqliteKeyStore>());
        logs.Entries.Should().NotContain(e => e.Text.Contains("in-memory", StringComparison.OrdinalIgnoreCase), "nothing in-memory was created");
    }

    [Fact]
    public void PersistToSqlite_Twice_RegistersEverythingOnceAndTheLastConnectionStringWins()
    {
        var services = new ServiceCollection();
        services.AddIronCage().ProtectKeysWithMasterKey(MasterKey)
            .PersistToSqlite("Data Source=first.db")
            .PersistToSqlite(_database.ConnectionString);

        services.Count(d => d.ServiceType == typeof(IHostedService)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<SqliteStoreOptions>)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IKeyStore)).Should().Be(1);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IOptions<SqliteStoreOptions>>().Value.ConnectionString.Should().Be(_database.ConnectionString);
    }

    [Fact]
    public async Task Host_Start_MigratesTheFileBeforeAnyStoreIsUsed()
    {
        using var host = BuildHost(b => b.PersistToSqlite(_database.ConnectionString));

        await host.StartAsync();

        File.Exists(_database.FilePath).Should().BeTrue();
        using (var raw = _database.OpenRaw())
        using (var command = raw.CreateCommand())
        {
            command.CommandText = $"SELECT max(version) FROM {SqliteConstants.SchemaVersionTable};";
            command.ExecuteScalar().Should().Be((long)SqliteConstants.SchemaVersion);
        }

        var keys = host.Services.GetRequiredService<IKeyStore>();
        await keys.CreateAsync(new ManagedKey { Reference = KeyReference.Parse("openai/prod") });
        (await host.Services.GetRequiredService<SqliteKeyStore>().GetAsync(KeyReference.Parse("openai/prod"))).Should().NotBeNull();
        await host.StopAsync();
    }

    [Fact]
    public async Task Host_Start_WithAFileFromANewerIronCage_Fails()
    {
        using (var store = new SqliteKeyStore(_database.Options()))
        {
            await store.FindAsync(KeyReference.Parse("openai/prod"));
        }

        using (var raw = _database.OpenRaw())
        using (var command = raw.CreateCommand())
        {
            command.CommandText = $"INSERT INTO {SqliteConstants.SchemaVersionTable} (version, description, applied_at) VALUES (7, 'later', '2030-01-01T00:00:00Z');";
            command.ExecuteNonQuery();
        }

        using var host = BuildHost(b => b.PersistToSqlite(_database.ConnectionString));

        var act = async () => await host.StartAsync();

        (await act.Should().ThrowAsync<SqliteSchemaVersionException>()).Which.DatabaseVersion.Should().Be(7);
    }

    [Theory]
    [InlineData(null, "*ConnectionString is missing*")]
    [InlineData("   ", "*ConnectionString is missing*")]
    [InlineData("Data Source=x.db;Colour=blue", "*not a valid SQLite connection string*")]
    [InlineData("Mode=ReadWriteCreate", "*names no database file*")]
    [InlineData("Data Source=:memory:", "*in-memory database*")]
    [InlineData("Data Source=shared;Mode=Memory;Cache=Shared", "*in-memory database*")]
    [InlineData("Data Source=x.db;Mode=ReadOnly", "*read-only*")]
    public async Task Host_Start_WithAnUnusableConnectionString_FailsSayingHowToFixIt(string? connectionString, string message)
    {
        using var host = BuildHost(b => b.PersistToSqlite(connectionString));

        var act = async () => await host.StartAsync();

        await act.Should().ThrowAsync<OptionsValidationException>().WithMessage(message);
    }

    [Fact]
    public async Task Host_Start_WithAnInvalidConnectionString_DoesNotEchoIt()
    {
        using var host = BuildHost(b => b.PersistToSqlite("Data Source=x.db;Password=hunter2-secret;Colour=blue"));

        var act = async () => await host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().NotContain("hunter2");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(11 * 60 * 1000)]
    public async Task Host_Start_WithABusyTimeoutOutOfRange_Fails(int milliseconds)
    {
        using var host = BuildHost(b => b.PersistToSqlite(o =>
        {
            o.ConnectionString = _database.ConnectionString;
            o.BusyTimeout = TimeSpan.FromMilliseconds(milliseconds);
        }));

        var act = async () => await host.StartAsync();

        await act.Should().ThrowAsync<OptionsValidationException>().WithMessage("*BusyTimeout*");
    }

    [Fact]
    public void Constructor_WithUnusableOptions_Throws()
    {
        var act = () => new SqliteKeyStore(new SqliteStoreOptions { ConnectionString = "Data Source=:memory:" });

        act.Should().Throw<ArgumentException>().WithMessage("*in-memory database*");
    }

    private static IHost BuildHost(Action<IIronCageBuilder> configure)
        => Host.CreateDefaultBuilder()
            .ConfigureServices(s => configure(s.AddIronCage().ProtectKeysWithMasterKey(MasterKey).AddRotation()))
            .Build();
}
