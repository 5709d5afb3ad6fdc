using System.Globalization;
using Npgsql;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>
/// The PostgreSQL server the tests run against: the one <c>IRONCAGE_TEST_POSTGRES</c> (a connection string with the
/// right to create databases) names, or else a throwaway <see cref="PostgresCluster"/>, stopped and deleted at the
/// end. Each store gets a database of its own.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "IRONCAGE_TEST_POSTGRES";

    private readonly List<string> _databases = [];
    private PostgresCluster? _cluster;
    private int _next;

    /// <summary>Gets why the PostgreSQL tests cannot run here, or <see langword="null"/> when they can (decided without starting anything).</summary>
    public static string? SkipReason =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable)) || PostgresCluster.BinDirectory is not null
            ? null
            : $"No PostgreSQL server: set {EnvironmentVariable} to a connection string, or install PostgreSQL (initdb and pg_ctl on PATH or in /usr/lib/postgresql/*/bin).";

    /// <summary>Gets why tests that stop and start a server of their own cannot run here (they need a local PostgreSQL installation), or <see langword="null"/>.</summary>
    public static string? OwnClusterSkipReason => PostgresCluster.BinDirectory is null
        ? "Needs a local PostgreSQL installation (initdb and pg_ctl) to start, stop and restart a cluster of its own."
        : null;

    public string AdminConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            AdminConnectionString = external;
            return;
        }

        _cluster = await PostgresCluster.StartNewAsync();
        AdminConnectionString = _cluster.AdminConnectionString;
    }

    /// <summary>Creates a new, empty database and returns its connection string.</summary>
    public string CreateDatabase()
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"ironcage_test_{Environment.ProcessId}_{Interlocked.Increment(ref _next)}");
        using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            command.ExecuteNonQuery();
        }

        lock (_databases)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            return;
        }

        // An external server: drop what the tests created.
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        foreach (var name in _databases)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE);", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}

/// <summary>A fact that is skipped, with the reason, when no PostgreSQL server can be had (decided at discovery).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that is skipped, with the reason, when no PostgreSQL server can be had (decided at discovery).</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (PostgresServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
