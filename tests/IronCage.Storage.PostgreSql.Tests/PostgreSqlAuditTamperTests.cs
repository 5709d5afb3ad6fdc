using IronCage.Auditing;
using IronCage.Conformance;
using Npgsql;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>The audit tamper cases against a real PostgreSQL database, edited over a plain connection as its owner would.</summary>
[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlAuditTamperTests(PostgresServer server) : AuditTamperConformanceTests
{
    private string? _connectionString;

    /// <inheritdoc />
    protected override string TruncateStatement => "TRUNCATE ironcage_audit;";

    protected override IAuditLog CreateLog()
    {
        _connectionString = server.CreateDatabase();
        return new PostgreSqlAuditLog(new PostgreSqlStoreOptions { ConnectionString = _connectionString });
    }

    protected override async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task<string> QueryTextAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    // The table's owner may disable its triggers; so may anyone the attacker became.
    protected override Task BypassAppendOnlyAsync() => ExecuteAsync("""
        ALTER TABLE ironcage_audit DISABLE TRIGGER USER;
        ALTER TABLE ironcage_audit_head DISABLE TRIGGER USER;
        """);
}
