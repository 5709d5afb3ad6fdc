using IronCage.Encryption;
using IronCage.Rotation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>A real host: the schema is applied and the change feed started at start, and the feed stopped at stop.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlHostingTests(PostgresServer server)
{
    [PostgresFact]
    public async Task Host_StartAppliesTheSchemaAndStartsTheFeed_StopStopsIt()
    {
        var connectionString = server.CreateDatabase();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .PersistToPostgreSql(connectionString)
            .AddRotation();
        using var host = builder.Build();
        var feed = host.Services.GetRequiredService<PostgreSqlKeyChangeFeed>();

        await host.StartAsync();
        feed.IsStarted.Should().BeTrue();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var version = new NpgsqlCommand($"SELECT max(version) FROM {PostgreSqlConstants.SchemaVersionTable};", connection);
            (await version.ExecuteScalarAsync()).Should().Be(PostgreSqlConstants.SchemaVersion, "the schema is applied when the host starts, before first use");
        }

        await host.StopAsync();
        feed.IsStarted.Should().BeFalse();
    }

    [PostgresFact]
    public async Task Host_OnADatabaseFromANewerIronCage_DoesNotStart()
    {
        var connectionString = server.CreateDatabase();
        using (var store = new PostgreSqlKeyStore(new PostgreSqlStoreOptions { ConnectionString = connectionString }))
        {
            await store.FindAsync(KeyReference.Parse("openai/none"));
        }

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var newer = new NpgsqlCommand($"INSERT INTO {PostgreSqlConstants.SchemaVersionTable} (version, description) VALUES ({PostgreSqlConstants.SchemaVersion + 1}, 'next');", connection);
            await newer.ExecuteNonQueryAsync();
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).PersistToPostgreSql(connectionString);
        using var host = builder.Build();
        (await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<PostgreSqlSchemaVersionException>()).Which.DatabaseVersion.Should().Be(PostgreSqlConstants.SchemaVersion + 1);
    }
}
