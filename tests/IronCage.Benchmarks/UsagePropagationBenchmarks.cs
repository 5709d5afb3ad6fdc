using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using IronCage.Encryption;
using IronCage.Storage;
using IronCage.Storage.PostgreSql.Tests;
using IronCage.Testing;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Benchmarks;

/// <summary>
/// Two host instances over one PostgreSQL database (a throwaway local cluster): the time from <c>Record</c> on the first
/// instance to the second instance's <see cref="IUsageGate"/> blocking the key (a hard limit of one request per day, a
/// new key per invocation whose limits the second instance has loaded). Goal: p99 ≤ 1 s. Besides the table, the run
/// prints p50/p99 of every invocation (BenchmarkDotNet has no p99 column).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 100, invocationCount: 1)]
[MinColumn, MaxColumn, MedianColumn]
public class UsagePropagationBenchmarks : IDisposable
{
    private readonly FakeClock _clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
    private readonly List<double> _milliseconds = [];
    private PostgresCluster _cluster = null!;
    private ServiceProvider _first = null!;
    private ServiceProvider _second = null!;
    private List<IHostedService> _hosted = [];
    private IUsageRecorder _recorder = null!;
    private IUsageGate _gate = null!;
    private KeyReference _key;
    private int _keys;

    [GlobalSetup]
    public void Setup()
    {
        _cluster = PostgresCluster.StartNewAsync().GetAwaiter().GetResult();
        var connectionString = _cluster.CreateDatabase("ironcage_usage_bench");
        var masterKey = LocalMasterKeyProvider.GenerateMasterKey();
        _first = Instance(connectionString, masterKey);
        _second = Instance(connectionString, masterKey);
        _hosted = [.. _first.GetServices<IHostedService>(), .. _second.GetServices<IHostedService>()];
        foreach (var service in _hosted)
        {
            service.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        _recorder = _first.GetRequiredService<IUsageRecorder>();
        _gate = _second.GetRequiredService<IUsageGate>();
    }

    [IterationSetup]
    public void NewKey()
    {
        _key = new KeyReference(ProviderId.OpenAI, $"bench-{Interlocked.Increment(ref _keys)}");
        _first.GetRequiredService<IKeyStore>().CreateAsync(new ManagedKey
        {
            Reference = _key,
            Limits = new UsageLimits { Limits = [new UsageLimit(UsageMetric.Requests, UsageWindow.Day, 1)] },
        }).AsTask().GetAwaiter().GetResult();

        // The second instance knows the key and its limits before the clock starts: only usage is measured.
        _second.GetRequiredService<IUsageQuery>().GetCurrentUsageAsync(_key).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public void RecordToOtherInstanceBlocked()
    {
        var started = Stopwatch.GetTimestamp();
        var now = _clock.GetCurrentInstant();
        _recorder.Record(new UsageSample(_key, now, "gpt-4o-mini", 100, 20, null, "kv_1"));
        var deadline = started + (Stopwatch.Frequency * 30);
        while (!_gate.IsBlocked(_key, now, out _))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"The second instance did not block {_key} within 30 s.");
            }

            Thread.Sleep(1);
        }

        _milliseconds.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        Report();
        foreach (var service in _hosted)
        {
            service.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        _first?.Dispose();
        _second?.Dispose();
        _cluster?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    private void Report()
    {
        if (_milliseconds.Count == 0)
        {
            return;
        }

        var sorted = _milliseconds.Order().ToArray();
        double Percentile(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling((p * sorted.Length) - 1))];
        Console.WriteLine($"// UsagePropagation: {sorted.Length} invocations, p50 {Percentile(0.50):F1} ms, p99 {Percentile(0.99):F1} ms, max {sorted[^1]:F1} ms");
    }

    private ServiceProvider Instance(string connectionString, string masterKey)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IClock>(_clock);
        services.AddIronCage()
            .ProtectKeysWithMasterKey(masterKey)
            .AddUsageTracking()
            .PersistToPostgreSql(connectionString);
        return services.BuildServiceProvider();
    }
}
