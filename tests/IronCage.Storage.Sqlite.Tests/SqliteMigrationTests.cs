using IronCage.Auditing;
using IronCage.Usage;
using Microsoft.Data.Sqlite;
using NodaTime;

namespace IronCage.Storage.Sqlite.Tests;

public sealed class SqliteMigrationTests : IDisposable
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 22, 9, 30);
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Delete();

    [Fact]
    public async Task FirstUse_FreshFile_IsMigratedToTheCurrentSchemaVersion()
    {
        File.Exists(_database.FilePath).Should().BeFalse();
        using var store = new SqliteKeyStore(_database.Options());

        (await store.FindAsync(KeyReference.Parse("openai/prod"))).Should().BeNull();

        File.Exists(_database.FilePath).Should().BeTrue();
        using var raw = _database.OpenRaw();
        AppliedVersions(raw).Should().Equal(Enumerable.Range(1, SqliteConstants.SchemaVersion).Select(v => (long)v));
        Tables(raw).Should().Contain(["ironcage_keys", "ironcage_key_versions", "ironcage_audit", "ironcage_rotation_operations", "ironcage_rotation_leases", "ironcage_sequences", SqliteConstants.SchemaVersionTable]);
    }

    [Fact]
    public async Task Open_FileAtSchemaVersion1_IsMigratedToVersion2_KeepingItsDataAndAddingTheUsageTables()
    {
        using (var raw = _database.OpenRaw())
        {
            // A file as IronCage with schema version 1 left it, with one audit record.
            Execute(raw, $"CREATE TABLE {SqliteConstants.SchemaVersionTable} (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL);");
            Execute(raw, SqliteMigrations.All.Single(m => m.Version == 1).Sql);
            Execute(raw, $"INSERT INTO {SqliteConstants.SchemaVersionTable} (version, description, applied_at) VALUES (1, 'v1', '2026-01-01T00:00:00Z');");
            Execute(raw, "INSERT INTO ironcage_audit (sequence, event, previous_hash, hash) VALUES (1, '{}', 'genesis', 'h1');");
        }

        using var usage = new SqliteUsageStore(_database.Options());
        await usage.AppendAsync([new UsageRecord { Key = KeyReference.Parse("openai/prod"), Minute = T0, Requests = 1, Cost = 0.5m }]);

        using var check = _database.OpenRaw();
        AppliedVersions(check).Should().Equal(Enumerable.Range(1, SqliteConstants.SchemaVersion).Select(v => (long)v));
        Tables(check).Should().Contain(["ironcage_usage", "ironcage_budget_windows", "ironcage_budget_reservations"]);
        Scalar(check, "SELECT count(*) FROM ironcage_audit;").Should().Be(1L, "migrating keeps what the file held");
        Scalar(check, "SELECT cost FROM ironcage_usage;").Should().Be("0.5");
    }

    [Fact]
    public async Task Open_FileAtSchemaVersion2_AddsTheDueColumnAndItsIndex_AndListsItsKeysAsDueUntilWritten()
    {
        using (var raw = _database.OpenRaw())
        {
            // A file as IronCage with schema version 2 left it, with one weekly key that was written then (no next_due_at).
            Execute(raw, $"CREATE TABLE {SqliteConstants.SchemaVersionTable} (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL);");
            foreach (var migration in SqliteMigrations.All.Where(m => m.Version <= 2))
            {
                Execute(raw, migration.Sql);
                Execute(raw, $"INSERT INTO {SqliteConstants.SchemaVersionTable} (version, description, applied_at) VALUES ({migration.Version}, 'v{migration.Version}', '2026-01-01T00:00:00Z');");
            }

            Execute(raw, $$"""
                INSERT INTO ironcage_keys (reference, provider, name, kind, description, labels, scope, policy, limits, created_at, token)
                VALUES ('openai/legacy', 'openai', 'legacy', 0, NULL, '{}', '{}', '{"schedule":"weekly"}', '{}', {{T0.ToUnixTimeTicks()}}, 1);
                """);
        }

        using var store = new SqliteKeyStore(_database.Options());
        var due = await store.ListDueAsync(T0, 10);

        due.Should().Equal(KeyReference.Parse("openai/legacy"));
        var legacy = await store.GetAsync(KeyReference.Parse("openai/legacy"));
        legacy.NextDueAt.Should().BeNull();
        legacy.Policy.Schedule.Should().Be(RotationSchedule.Weekly);
        using (var check = _database.OpenRaw())
        {
            AppliedVersions(check).Should().Equal(Enumerable.Range(1, SqliteConstants.SchemaVersion).Select(v => (long)v));
            Scalar(check, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'ix_ironcage_keys_next_due';").Should().Be(1L);
        }

        // Without a current version nothing is scheduled: written back, the key is no longer due.
        (await store.UpdateAsync(legacy)).NextDueAt.Should().Be(ManagedKeyDue.Never);
        (await store.ListDueAsync(T0, 10)).Should().BeEmpty();
    }

    [Fact]
    public async Task ListDue_QueryPlan_UsesTheDueIndex()
    {
        await MigrateAsync();
        using var raw = _database.OpenRaw();
        using var command = raw.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN SELECT reference FROM ironcage_keys WHERE next_due_at IS NULL OR next_due_at <= 5 ORDER BY next_due_at, reference LIMIT 10;";
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        plan.Should().Contain(step => step.Contains("ix_ironcage_keys_next_due", StringComparison.Ordinal), "the scheduler's query must not scan every key: {0}", string.Join(" | ", plan));
        plan.Should().NotContain(step => step.StartsWith("SCAN ironcage_keys", StringComparison.Ordinal) && !step.Contains("INDEX", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reopen_MigratedFile_IsIdempotentAndKeepsTheData()
    {
        long firstToken;
        using (var first = new SqliteKeyStore(_database.Options()))
        {
            firstToken = (await first.CreateAsync(Key("openai/prod"))).ConcurrencyToken;
        }

        using var second = new SqliteKeyStore(_database.Options());
        var found = await second.GetAsync(KeyReference.Parse("openai/prod"));
        var next = await second.CreateAsync(Key("openai/other"));

        found.ConcurrencyToken.Should().Be(firstToken);
        next.ConcurrencyToken.Should().BeGreaterThan(firstToken, "the token counter lives in the file, not in the process");
        using var raw = _database.OpenRaw();
        AppliedVersions(raw).Should().Equal(Enumerable.Range(1, SqliteConstants.SchemaVersion).Select(v => (long)v), "each migration is applied once");
    }

    [Fact]
    public async Task FirstUse_ManyStoresAtOnceOnAFreshFile_MigrateItOnce()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => new SqliteKeyStore(_database.Options())).ToList();
        try
        {
            await Task.WhenAll(stores.Select((s, i) => Task.Run(async () => await s.CreateAsync(Key("openai/key-" + i)))));

            using var raw = _database.OpenRaw();
            AppliedVersions(raw).Should().Equal(Enumerable.Range(1, SqliteConstants.SchemaVersion).Select(v => (long)v));
            (await ListAsync(stores[0])).Should().HaveCount(6);
        }
        finally
        {
            stores.ForEach(s => s.Dispose());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Open_FileWithANewerSchema_ThrowsTheTypedErrorNamingBothVersions(bool applyMigrations)
    {
        await MigrateAsync();
        using (var raw = _database.OpenRaw())
        {
            Execute(raw, $"INSERT INTO {SqliteConstants.SchemaVersionTable} (version, description, applied_at) VALUES (99, 'from the future', '2030-01-01T00:00:00Z');");
        }

        using var store = new SqliteKeyStore(_database.Options(applyMigrations));
        var act = async () => await store.FindAsync(KeyReference.Parse("openai/prod"));

        var error = (await act.Should().ThrowAsync<SqliteSchemaVersionException>()).Which;
        error.Should().BeAssignableTo<IronCageException>();
        error.DatabaseVersion.Should().Be(99);
        error.SupportedVersion.Should().Be(SqliteConstants.SchemaVersion);
        error.IsNewerThanSupported.Should().BeTrue();
        error.DataSource.Should().Be(_database.FilePath);
        error.Message.Should().Contain("schema version 99").And.Contain($"up to {SqliteConstants.SchemaVersion}").And.Contain("upgrade IronCage");
    }

    [Fact]
    public async Task Open_NewerSchema_ChangesNothingInTheFile()
    {
        await MigrateAsync();
        using (var raw = _database.OpenRaw())
        {
            Execute(raw, $"INSERT INTO {SqliteConstants.SchemaVersionTable} (version, description, applied_at) VALUES ({SqliteConstants.SchemaVersion + 1}, 'next', '2030-01-01T00:00:00Z');");
        }

        using var store = new SqliteAuditLog(_database.Options());
        var act = async () => await store.AppendAsync(new AuditEvent { Actor = "a", Action = AuditAction.KeyCreate, Target = "openai/prod", Timestamp = T0 });

        await act.Should().ThrowAsync<SqliteSchemaVersionException>();
        using var check = _database.OpenRaw();
        AppliedVersions(check).Should().Equal(Enumerable.Range(1, SqliteConstants.SchemaVersion + 1).Select(v => (long)v));
        Scalar(check, "SELECT count(*) FROM ironcage_audit;").Should().Be(0L);
    }

    [Fact]
    public async Task Open_WithoutMigrationsOnAnUnmigratedFile_ThrowsAClearErrorAndCreatesNoTables()
    {
        using var store = new SqliteRotationStore(_database.Options(applyMigrations: false));

        var act = async () => await store.FindAsync("rot_1");

        var error = (await act.Should().ThrowAsync<SqliteSchemaVersionException>()).Which;
        error.DatabaseVersion.Should().Be(0);
        error.SupportedVersion.Should().Be(SqliteConstants.SchemaVersion);
        error.IsNewerThanSupported.Should().BeFalse();
        error.Message.Should().Contain("ApplyMigrations is false").And.Contain($"needs schema version {SqliteConstants.SchemaVersion}");
        using var raw = _database.OpenRaw();
        Tables(raw).Should().BeEmpty("a store that may not migrate must not create its schema either");
    }

    [Fact]
    public async Task Open_WithoutMigrationsOnAMigratedFile_Works()
    {
        await MigrateAsync();
        using var store = new SqliteKeyStore(_database.Options(applyMigrations: false));

        var created = await store.CreateAsync(Key("openai/prod"));

        (await store.GetAsync(created.Reference)).ConcurrencyToken.Should().Be(created.ConcurrencyToken);
    }

    [Fact]
    public async Task Open_AFileThatIsNotADatabase_SaysSo()
    {
        await File.WriteAllTextAsync(_database.FilePath, new string('x', 4096));
        using var store = new SqliteKeyStore(_database.Options());

        var act = async () => await store.FindAsync(KeyReference.Parse("openai/prod"));

        (await act.Should().ThrowAsync<IronCageException>()).Which.Message.Should().Contain("is not a SQLite database");
    }

    [Fact]
    public async Task Wal_IsTheJournalModeOfTheFile()
    {
        using var store = new SqliteKeyStore(_database.Options());
        await store.CreateAsync(Key("openai/prod"));

        using var raw = _database.OpenRaw();
        Scalar(raw, "PRAGMA journal_mode;").Should().Be("wal");
        File.Exists(_database.FilePath + "-wal").Should().BeTrue("writes go to the write-ahead log first");
    }

    [Fact]
    public async Task AuditTable_RefusesUpdatesAndDeletes_AndVerifyFindsAChangeThatBypassedTheGuard()
    {
        using var log = new SqliteAuditLog(_database.Options());
        for (var i = 1; i <= 3; i++)
        {
            await log.AppendAsync(new AuditEvent { Actor = "system", Action = AuditAction.KeyRotate, Target = "openai/key-" + i, Timestamp = T0 + Duration.FromMinutes(i) });
        }

        using var raw = _database.OpenRaw();
        var update = () => Execute(raw, "UPDATE ironcage_audit SET event = replace(event, 'key-2', 'key-9') WHERE sequence = 2;");
        var delete = () => Execute(raw, "DELETE FROM ironcage_audit WHERE sequence = 3;");
        update.Should().Throw<SqliteException>().WithMessage("*append-only*");
        delete.Should().Throw<SqliteException>().WithMessage("*append-only*");

        Execute(raw, "DROP TRIGGER tr_ironcage_audit_no_update; UPDATE ironcage_audit SET event = replace(event, 'key-2', 'key-9') WHERE sequence = 2;");
        var result = await log.VerifyAsync();

        result.IsValid.Should().BeFalse();
        result.Tamper.Should().Be(AuditTamperKind.Modified);
        result.FirstInvalidSequence.Should().Be(2);
    }

    [Fact]
    public async Task OperationsTable_RefusesASecondUnfinishedOperationForAKeyEvenFromOutsideTheStore()
    {
        await MigrateAsync();
        using var raw = _database.OpenRaw();
        const string Insert = "INSERT INTO ironcage_rotation_operations (operation_id, key_reference, step, finished, requested_at, updated_at, token, body) VALUES ('{0}', 'openai/prod', 0, {1}, 0, 0, {2}, '{{}}');";
        Execute(raw, string.Format(System.Globalization.CultureInfo.InvariantCulture, Insert, "rot_done", 1, 1));
        Execute(raw, string.Format(System.Globalization.CultureInfo.InvariantCulture, Insert, "rot_a", 0, 2));

        var second = () => Execute(raw, string.Format(System.Globalization.CultureInfo.InvariantCulture, Insert, "rot_b", 0, 3));

        second.Should().Throw<SqliteException>().Which.SqliteErrorCode.Should().Be(19, "SQLITE_CONSTRAINT from the partial unique index");
    }

    private static ManagedKey Key(string reference) => new() { Reference = KeyReference.Parse(reference), CreatedAt = T0 };

    private static async Task<List<ManagedKey>> ListAsync(SqliteKeyStore store)
    {
        var keys = new List<ManagedKey>();
        await foreach (var key in store.ListAsync())
        {
            keys.Add(key);
        }

        return keys;
    }

    private static List<long> AppliedVersions(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT version FROM {SqliteConstants.SchemaVersionTable} ORDER BY version;";
        using var reader = command.ExecuteReader();
        var versions = new List<long>();
        while (reader.Read())
        {
            versions.Add(reader.GetInt64(0));
        }

        return versions;
    }

    private static List<string> Tables(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;";
        using var reader = command.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private async Task MigrateAsync()
    {
        using var store = new SqliteKeyStore(_database.Options());
        await store.FindAsync(KeyReference.Parse("openai/prod"));
    }
}
