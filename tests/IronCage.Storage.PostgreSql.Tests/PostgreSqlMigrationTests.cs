using IronCage.Auditing;
using IronCage.Rotation;
using IronCage.Usage;
using Npgsql;

namespace IronCage.Storage.PostgreSql.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlMigrationTests(PostgresServer server)
{
    [PostgresFact]
    public async Task InstancesStartingTogether_ApplyTheMigrationsOnce()
    {
        var connectionString = server.CreateDatabase();
        var stores = Enumerable.Range(0, 8).Select(_ => new PostgreSqlKeyStore(new PostgreSqlStoreOptions { ConnectionString = connectionString })).ToList();
        try
        {
            await Task.WhenAll(stores.Select(s => Task.Run(async () => await s.FindAsync(KeyReference.Parse("openai/none")))));
        }
        finally
        {
            stores.ForEach(s => s.Dispose());
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var versions = new NpgsqlCommand($"SELECT count(*), max(version) FROM {PostgreSqlConstants.SchemaVersionTable};", connection);
        await using var reader = await versions.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue();
        reader.GetInt64(0).Should().Be(PostgreSqlConstants.SchemaVersion, "every migration is recorded once");
        reader.GetInt32(1).Should().Be(PostgreSqlConstants.SchemaVersion);
    }

    [PostgresFact]
    public async Task DatabaseAtSchemaVersion1_IsMigratedToVersion2_KeepingItsData()
    {
        var connectionString = server.CreateDatabase();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var v1 = new NpgsqlCommand(
                $"CREATE TABLE {PostgreSqlConstants.SchemaVersionTable} (version integer NOT NULL PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());"
                + PostgreSqlMigrations.All.Single(m => m.Version == 1).Sql
                + $"INSERT INTO {PostgreSqlConstants.SchemaVersionTable} (version, description) VALUES (1, 'v1');",
                connection);
            await v1.ExecuteNonQueryAsync();
        }

        using (var keys = new PostgreSqlKeyStore(new PostgreSqlStoreOptions { ConnectionString = connectionString, ApplyMigrations = false }))
        {
            // A store that may not migrate refuses the version 1 database and changes nothing.
            await FluentActions.Awaiting(async () => await keys.FindAsync(KeyReference.Parse("openai/none"))).Should().ThrowAsync<PostgreSqlSchemaVersionException>();
        }

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var lease = new NpgsqlCommand("INSERT INTO ironcage_rotation_leases (resource, owner, expires_at, token) VALUES ('scheduler', 'host-a', 1, 1);", connection);
            await lease.ExecuteNonQueryAsync(); // data written at version 1
        }

        using var usage = new PostgreSqlUsageStore(new PostgreSqlStoreOptions { ConnectionString = connectionString });
        await usage.AppendAsync([new UsageRecord { Key = KeyReference.Parse("openai/prod"), Minute = TestKeys.T0, Requests = 1, Cost = 0.5m }]);

        await using var check = new NpgsqlConnection(connectionString);
        await check.OpenAsync();
        await using var versions = new NpgsqlCommand($"SELECT string_agg(version::text, ',' ORDER BY version) FROM {PostgreSqlConstants.SchemaVersionTable};", check);
        (await versions.ExecuteScalarAsync()).Should().Be(string.Join(",", Enumerable.Range(1, PostgreSqlConstants.SchemaVersion)));
        await using var kept = new NpgsqlCommand("SELECT (SELECT count(*) FROM ironcage_rotation_leases) + (SELECT count(*) FROM ironcage_usage);", check);
        (await kept.ExecuteScalarAsync()).Should().Be(2L, "the version 1 data is kept and the usage table added");
    }

    [PostgresFact]
    public async Task DatabaseAtSchemaVersion2_GetsTheDueColumnAndIndex_AndListsItsKeysAsDueUntilWritten()
    {
        var connectionString = server.CreateDatabase();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            // A database as IronCage with schema version 2 left it, with one weekly key written then (no next_due_at).
            await using var v2 = new NpgsqlCommand(
                $"CREATE TABLE {PostgreSqlConstants.SchemaVersionTable} (version integer NOT NULL PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());"
                + string.Concat(PostgreSqlMigrations.All.Where(m => m.Version <= 2).Select(m => m.Sql))
                + $"INSERT INTO {PostgreSqlConstants.SchemaVersionTable} (version, description) VALUES (1, 'v1'), (2, 'v2');"
                + $$"""
                    INSERT INTO ironcage_keys (reference, provider, name, kind, description, labels, scope, policy, limits, created_at, token)
                    VALUES ('openai/legacy', 'openai', 'legacy', 0, NULL, '{}', '{}', '{"schedule":"weekly"}', '{}', {{TestKeys.T0.ToUnixTimeTicks()}}, nextval('ironcage_key_token'));
                    """,
                connection);
            await v2.ExecuteNonQueryAsync();
        }

        using var store = new PostgreSqlKeyStore(new PostgreSqlStoreOptions { ConnectionString = connectionString });
        var due = await store.ListDueAsync(TestKeys.T0, 10);

        due.Should().Equal(KeyReference.Parse("openai/legacy"));
        var legacy = await store.GetAsync(KeyReference.Parse("openai/legacy"));
        legacy.NextDueAt.Should().BeNull();
        await using (var check = new NpgsqlConnection(connectionString))
        {
            await check.OpenAsync();
            await using var versions = new NpgsqlCommand($"SELECT string_agg(version::text, ',' ORDER BY version) FROM {PostgreSqlConstants.SchemaVersionTable};", check);
            (await versions.ExecuteScalarAsync()).Should().Be(string.Join(",", Enumerable.Range(1, PostgreSqlConstants.SchemaVersion)));
            await using var index = new NpgsqlCommand("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_ironcage_keys_next_due';", check);
            (await index.ExecuteScalarAsync()).Should().Be(1L);
        }

        // Without a current version nothing is scheduled: written back, the key is no longer due.
        (await store.UpdateAsync(legacy)).NextDueAt.Should().Be(ManagedKeyDue.Never);
        (await store.ListDueAsync(TestKeys.T0, 10)).Should().BeEmpty();
    }

    [PostgresFact]
    public async Task DatabaseMigratedByANewerIronCage_IsRefusedWithATypedError()
    {
        var connectionString = server.CreateDatabase();
        using (var store = new PostgreSqlKeyStore(new PostgreSqlStoreOptions { ConnectionString = connectionString }))
        {
            await store.FindAsync(KeyReference.Parse("openai/none"));
        }

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var newer = new NpgsqlCommand($"INSERT INTO {PostgreSqlConstants.SchemaVersionTable} (version, description) VALUES (99, 'from the future');", connection);
            await newer.ExecuteNonQueryAsync();
        }

        foreach (var applyMigrations in new[] { true, false })
        {
            using var store = new PostgreSqlRotationStore(new PostgreSqlStoreOptions { ConnectionString = connectionString, ApplyMigrations = applyMigrations });
            var refused = await FluentActions.Awaiting(async () => await store.FindActiveAsync(KeyReference.Parse("openai/none"))).Should().ThrowAsync<PostgreSqlSchemaVersionException>();
            refused.Which.IsNewerThanSupported.Should().BeTrue();
            refused.Which.DatabaseVersion.Should().Be(99);
            refused.Which.SupportedVersion.Should().Be(PostgreSqlConstants.SchemaVersion);
            refused.Which.Message.Should().Contain("upgrade IronCage").And.NotContain("Password");
        }
    }

    [PostgresFact]
    public async Task MigrationsOff_OnAnEmptyDatabase_SaysToApplyThem()
    {
        using var log = new PostgreSqlAuditLog(new PostgreSqlStoreOptions { ConnectionString = server.CreateDatabase(), ApplyMigrations = false });
        var refused = await FluentActions.Awaiting(async () => await log.VerifyAsync()).Should().ThrowAsync<PostgreSqlSchemaVersionException>();
        refused.Which.IsNewerThanSupported.Should().BeFalse();
        refused.Which.DatabaseVersion.Should().Be(0);
        refused.Which.Message.Should().Contain("ApplyMigrations");
    }

    [PostgresFact]
    public async Task AuditTable_RefusesUpdateAndDelete()
    {
        var connectionString = server.CreateDatabase();
        using (var log = new PostgreSqlAuditLog(new PostgreSqlStoreOptions { ConnectionString = connectionString }))
        {
            await log.AppendAsync(new AuditEvent { Actor = "test", Action = AuditAction.KeyCreate, Target = "openai/prod", Timestamp = TestKeys.T0 });
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var sql in new[] { "UPDATE ironcage_audit SET event = '{}';", "DELETE FROM ironcage_audit;" })
        {
            await using var change = new NpgsqlCommand(sql, connection);
            await FluentActions.Awaiting(() => change.ExecuteNonQueryAsync()).Should().ThrowAsync<PostgresException>();
        }
    }
}
