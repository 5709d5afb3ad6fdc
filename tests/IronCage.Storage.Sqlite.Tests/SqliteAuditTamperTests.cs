using IronCage.Auditing;
using IronCage.Conformance;

namespace IronCage.Storage.Sqlite.Tests;

/// <summary>The audit tamper cases against a SQLite file, edited with a raw connection as an attacker with the file would.</summary>
public sealed class SqliteAuditTamperTests : AuditTamperConformanceTests
{
    private readonly TempDatabase _database = new();

    /// <inheritdoc />
    protected override string TruncateStatement => "DELETE FROM ironcage_audit;";

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Delete();
    }

    protected override IAuditLog CreateLog() => new SqliteAuditLog(_database.Options());

    protected override Task ExecuteAsync(string sql)
    {
        using var connection = _database.OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    protected override Task<string> QueryTextAsync(string sql)
    {
        using var connection = _database.OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Task.FromResult((string)command.ExecuteScalar()!);
    }

    protected override Task BypassAppendOnlyAsync() => ExecuteAsync("""
        DROP TRIGGER tr_ironcage_audit_no_update;
        DROP TRIGGER tr_ironcage_audit_no_delete;
        DROP TRIGGER tr_ironcage_audit_head_no_delete;
        DROP TRIGGER tr_ironcage_audit_head_forward_only;
        """);
}
