using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Storage.PostgreSql.Tests;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Benchmarks;

/// <summary>
/// A master-key rotation's re-wrap (<see cref="IKeyRewrapper.RewrapAsync"/>) of a store of 10,000 keys on the durable
/// stores: an SQLite file and PostgreSQL on a throwaway local cluster. Each iteration moves every secret to the other of
/// two master keys (the one it is under configured as retired), so every iteration re-wraps all 10,000 secrets,
/// renews their fingerprints and audits each key. Secrets per second is 10,000 divided by the mean.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class RewrapBenchmarks : IDisposable
{
    private const int KeyCount = 10_000;
    private readonly string[] _masterKeys = [LocalMasterKeyProvider.GenerateMasterKey(), LocalMasterKeyProvider.GenerateMasterKey()];
    private readonly ServiceProvider?[] _hosts = new ServiceProvider?[2];
    private PostgresCluster? _cluster;
    private string? _folder;
    private string _connectionString = string.Empty;
    private int _round;

    /// <summary>Gets the stores to measure: <c>sqlite</c> and <c>postgresql</c>, or the comma-separated list in <c>IRONCAGE_BENCH_STORES</c>.</summary>
    public static IEnumerable<string> Stores => (Environment.GetEnvironmentVariable("IRONCAGE_BENCH_STORES") ?? "sqlite,postgresql").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Gets or sets the store: <c>sqlite</c> or <c>postgresql</c>.</summary>
    [ParamsSource(nameof(Stores))]
    public string Store { get; set; } = "sqlite";

    [GlobalSetup]
    public void Setup()
    {
        if (Store == "sqlite")
        {
            _folder = Path.Combine(Path.GetTempPath(), "ironcage-bench-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_folder);
            _connectionString = "Data Source=" + Path.Combine(_folder, "bench.db");
        }
        else
        {
            _cluster = PostgresCluster.StartNewAsync().GetAwaiter().GetResult();
            _connectionString = _cluster.CreateDatabase("ironcage_rewrap_bench");
        }

        // Host 0: master key 0 current, key 1 retired; host 1 the other way round. The store starts under key 1.
        _hosts[0] = Host(_masterKeys[0], _masterKeys[1]);
        _hosts[1] = Host(_masterKeys[1], _masterKeys[0]);
        var rotator = _hosts[1]!.GetRequiredService<IKeyRotator>();
        Parallel.ForEachAsync(Enumerable.Range(0, KeyCount), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
        {
            using var secret = FakeKeys.Generate(ProviderId.Groq);
            await rotator.RegisterAsync(new KeyRegistration { Reference = new KeyReference(ProviderId.Groq, $"k{i}"), Verify = false }, secret, cancellationToken: token);
        }).GetAwaiter().GetResult();
    }

    [Benchmark]
    public async Task Rewrap10000Keys()
    {
        var host = _hosts[_round++ % 2]!;
        var result = await host.GetRequiredService<IKeyRewrapper>().RewrapAsync(new KeyRewrapRequest { BatchSize = 500 });
        if (result.Versions != KeyCount)
        {
            throw new InvalidOperationException($"Re-wrapped {result.Versions} versions, expected {KeyCount}.");
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host?.Dispose();
        }

        _cluster?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_folder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    private ServiceProvider Host(string masterKey, string retired)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddIronCage()
            .ProtectKeysWithMasterKey(o =>
            {
                o.MasterKey = masterKey;
                o.RetiredMasterKeys.Add(retired);
            })
            .AddRotation();
        if (Store == "sqlite")
        {
            builder.PersistToSqlite(_connectionString);
        }
        else
        {
            builder.PersistToPostgreSql(_connectionString);
        }

        return services.BuildServiceProvider();
    }
}
