using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Storage.PostgreSql.Tests;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Benchmarks;

/// <summary>
/// <see cref="RotationBenchmarks"/>' rotation of 1,000 keys (16 in flight, fake provider, compromised: no grace) on the
/// durable stores: an SQLite file in a temporary folder, and PostgreSQL on a throwaway local cluster. Keys per second
/// is 1,000 divided by the mean.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class DurableRotationBenchmarks : IDisposable
{
    private readonly FakeClock _clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
    private ServiceProvider _services = null!;
    private PostgresCluster? _cluster;
    private string? _folder;
    private List<KeyReference> _toRotate = [];
    private int _round;

    /// <summary>Gets or sets the store: <c>sqlite</c> or <c>postgresql</c>.</summary>
    [Params("sqlite", "postgresql")]
    public string Store { get; set; } = "sqlite";

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IClock>(_clock);
        var builder = services.AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .AddProviderAdapter(FakeProviderAdapter.For(ProviderId.OpenAI, _clock))
            .AddRotation();
        if (Store == "sqlite")
        {
            _folder = Path.Combine(Path.GetTempPath(), "ironcage-bench-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_folder);
            builder.PersistToSqlite("Data Source=" + Path.Combine(_folder, "bench.db"));
        }
        else
        {
            _cluster = PostgresCluster.StartNewAsync().GetAwaiter().GetResult();
            builder.PersistToPostgreSql(_cluster.CreateDatabase("ironcage_rotation_bench"));
        }

        _services = services.BuildServiceProvider();
    }

    [IterationSetup(Target = nameof(Rotate1000KeysWithParallelism16))]
    public void RegisterKeysToRotate() => _toRotate = RegisterAsync("round" + _round++, 1_000).GetAwaiter().GetResult();

    [Benchmark]
    public async Task Rotate1000KeysWithParallelism16()
    {
        var rotator = _services.GetRequiredService<IKeyRotator>();
        await Parallel.ForEachAsync(_toRotate, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, token) =>
        {
            var operation = await rotator.RotateAsync(key, RotationReason.Compromised, cancellationToken: token);
            if (operation.Step != RotationStep.Completed)
            {
                throw new InvalidOperationException($"{key} ended at {operation.Step}: {operation.LastError}");
            }
        });
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _services.Dispose();
        _cluster?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_folder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    private async Task<List<KeyReference>> RegisterAsync(string prefix, int count)
    {
        var rotator = _services.GetRequiredService<IKeyRotator>();
        var provider = (FakeProviderAdapter)_services.GetRequiredService<IProviderAdapter>();
        var keys = new List<KeyReference>(count);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
        {
            using var secret = FakeKeys.Generate(ProviderId.OpenAI);
            var id = provider.AddExistingKey(secret);
            var reference = new KeyReference(ProviderId.OpenAI, $"{prefix}-{i}");
            await rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = id, Verify = false }, secret, cancellationToken: token);
            lock (keys)
            {
                keys.Add(reference);
            }
        });

        return keys;
    }
}
