using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using IronCage.Storage.PostgreSql;
using IronCage.Storage.PostgreSql.Tests;
using IronCage.Storage.Sqlite;
using IronCage.Usage;
using Microsoft.Data.Sqlite;
using NodaTime;
using Npgsql;

namespace IronCage.Benchmarks;

/// <summary>
/// Appending 100,000 usage records (ten batches of 10,000, as the recorder flushes them) into SQLite (one
/// <c>BEGIN IMMEDIATE</c> transaction per batch, one prepared insert) and PostgreSQL (one binary <c>COPY</c> per batch,
/// on a throwaway local cluster). Rows per second = 100,000 / mean. The table is emptied before each iteration.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 8, invocationCount: 1)]
public class UsageAppendBenchmarks : IDisposable
{
    private const int Records = 100_000;
    private const int BatchSize = 10_000;
    private readonly List<UsageRecord[]> _batches = [];
    private string _folder = null!;
    private string _connectionString = null!;
    private PostgresCluster? _cluster;
    private IUsageStore _store = null!;

    [Params("Sqlite", "PostgreSql")]
    public string Store { get; set; } = "Sqlite";

    [GlobalSetup]
    public void Setup()
    {
        var keys = Enumerable.Range(0, 50).Select(i => new KeyReference(ProviderId.OpenAI, "key-" + i)).ToArray();
        var start = Instant.FromUtc(2026, 11, 1, 0, 0);
        for (var offset = 0; offset < Records; offset += BatchSize)
        {
            _batches.Add([.. Enumerable.Range(offset, BatchSize).Select(i => new UsageRecord
            {
                Key = keys[i % keys.Length],
                Minute = start + Duration.FromMinutes(i / keys.Length),
                VersionId = "kv_0123456789abcdef",
                Model = i % 3 == 0 ? "gpt-4o" : "gpt-4o-mini",
                Requests = 1 + (i % 4),
                Errors = i % 50 == 0 ? 1 : 0,
                InputTokens = 800 + (i % 1000),
                OutputTokens = 200 + (i % 300),
                Cost = 0.0000025m * (800 + (i % 1000)),
                CostStatus = UsageCostStatus.Priced,
            })]);
        }

        if (Store == "Sqlite")
        {
            _folder = Path.Combine(Path.GetTempPath(), "ironcage-bench-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_folder);
            _connectionString = $"Data Source={Path.Combine(_folder, "usage.db")}";
            _store = new SqliteUsageStore(new SqliteStoreOptions { ConnectionString = _connectionString });
        }
        else
        {
            _cluster = PostgresCluster.StartNewAsync().GetAwaiter().GetResult();
            _connectionString = _cluster.CreateDatabase("ironcage_bench");
            _store = new PostgreSqlUsageStore(new PostgreSqlStoreOptions { ConnectionString = _connectionString });
        }

        // Applies the schema before the first measured append.
        _store.GetCommittedAsync("warm-up", start).GetAwaiter().GetResult();
    }

    [IterationSetup]
    public void EmptyTable()
    {
        if (Store == "Sqlite")
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM ironcage_usage; PRAGMA wal_checkpoint(TRUNCATE);";
            delete.ExecuteNonQuery();
        }
        else
        {
            using var connection = new NpgsqlConnection(_connectionString);
            connection.Open();
            using var truncate = new NpgsqlCommand("TRUNCATE ironcage_usage;", connection);
            truncate.ExecuteNonQuery();
        }
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public async Task AppendRecords()
    {
        foreach (var batch in _batches)
        {
            await _store.AppendAsync(batch);
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        (_store as IDisposable)?.Dispose();
        if (_cluster is not null)
        {
            _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        else
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
