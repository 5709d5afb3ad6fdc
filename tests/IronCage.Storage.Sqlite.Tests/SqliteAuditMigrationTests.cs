using IronCage.Auditing;
using Microsoft.Data.Sqlite;
using NodaTime;

namespace IronCage.Storage.Sqlite.Tests;

/// <summary>A file with an audit log written before schema version 4 gets its head row, and its chain goes on.</summary>
public sealed class SqliteAuditMigrationTests : IDisposable
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 22, 9, 30);
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Delete();

    [Fact]
    public async Task Open_FileAtSchemaVersion3WithAnAuditLog_GetsItsHeadRow_AndAppendsContinueTheChain()
    {
        var legacy = new List<AuditRecord>();
        using (var raw = _database.OpenRaw())
        {
            Execute(raw, $"CREATE TABLE {SqliteConstants.SchemaVersionTable} (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL);");
            foreach (var migration in SqliteMigrations.All.Where(m => m.Version <= 3))
            {
                Execute(raw, migration.Sql);
                Execute(raw, $"INSERT INTO {SqliteConstants.SchemaVersionTable} (version, description, applied_at) VALUES ({migration.Version}, 'v{migration.Version}', '2026-01-01T00:00:00Z');");
            }

            for (var i = 1; i <= 3; i++)
            {
                var record = AuditChain.Next(legacy.Count == 0 ? null : legacy[^1], Event(i));
                legacy.Add(record);
                using var insert = raw.CreateCommand();
                insert.CommandText = "INSERT INTO ironcage_audit (sequence, event, previous_hash, hash) VALUES ($sequence, $event, $previous_hash, $hash);";
                insert.Parameters.AddWithValue("$sequence", record.Sequence);
                insert.Parameters.AddWithValue("$event", StorageJson.WriteAuditEvent(record.Event));
                insert.Parameters.AddWithValue("$previous_hash", record.PreviousHash);
                insert.Parameters.AddWithValue("$hash", record.Hash);
                insert.ExecuteNonQuery();
            }
        }

        using var log = new SqliteAuditLog(_database.Options());
        var before = await log.VerifyAsync();
        var appended = await log.AppendAsync(Event(4));
        var after = await log.VerifyAsync();

        before.IsValid.Should().BeTrue(before.Message);
        before.Head.Should().Be(new AuditCheckpoint(3, legacy[^1].Hash));
        appended.Sequence.Should().Be(4);
        appended.PreviousHash.Should().Be(legacy[^1].Hash);
        after.IsValid.Should().BeTrue(after.Message);
        after.Head.Should().Be(new AuditCheckpoint(4, appended.Hash));
    }

    private static AuditEvent Event(int i) => new()
    {
        Actor = "system",
        Action = AuditAction.KeyRotate,
        Target = "openai/prod",
        Timestamp = T0 + Duration.FromMinutes(i),
    };

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
