using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace IronCage.Storage.PostgreSql.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlIronCageBuilderExtensionsTests(PostgresServer server)
{
    [PostgresFact]
    public async Task PersistToPostgreSql_WithADataSource_FillsEveryStoreSlot_AndLeavesTheDataSourceOpen()
    {
        await using var dataSource = NpgsqlDataSource.Create(server.CreateDatabase());
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).PersistToPostgreSql(dataSource).AddRotation();
        await using (var container = services.BuildServiceProvider())
        {
            container.GetRequiredService<IKeyStore>().Should().BeOfType<PostgreSqlKeyStore>();
            container.GetRequiredService<IAuditLog>().Should().BeOfType<PostgreSqlAuditLog>();
            container.GetRequiredService<IRotationStore>().Should().BeOfType<PostgreSqlRotationStore>();
            container.GetRequiredService<IUsageStore>().Should().BeOfType<PostgreSqlUsageStore>();
            container.GetServices<IUsageStore>().Should().ContainSingle();
            container.GetServices<IHostedService>().Should().Contain(s => s.GetType().Name == "PostgreSqlKeyChangeFeedService");
            await container.GetRequiredService<IKeyStore>().CreateAsync(TestKeys.NewKey("openai/di"));
        }

        await using var connection = await dataSource.OpenConnectionAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM ironcage_keys;", connection);
        (await count.ExecuteScalarAsync()).Should().Be(1L);
    }

    [Fact]
    public async Task MissingConnectionString_StopsStartUpWithAMessageSayingWhatToDo()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).PersistToPostgreSql((string?)null);
        await using var container = services.BuildServiceProvider();
        FluentActions.Invoking(() => container.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value)
            .Should().Throw<OptionsValidationException>().WithMessage("*ConnectionString is missing*PersistToPostgreSql*");
        FluentActions.Invoking(() => new PostgreSqlKeyStore(new PostgreSqlStoreOptions()))
            .Should().Throw<ArgumentException>().WithMessage("*ConnectionString is missing*PersistToPostgreSql*");
        FluentActions.Invoking(() => new PostgreSqlKeyStore(new PostgreSqlStoreOptions { ConnectionString = "Host=x;Nonsense Keyword=1;Password=hunter2" }))
            .Should().Throw<ArgumentException>().Which.Message.Should().NotContain("hunter2");
    }
}
