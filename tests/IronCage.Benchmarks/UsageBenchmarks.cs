using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using IronCage.Storage;
using IronCage.Testing;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Benchmarks;

/// <summary>
/// The usage hot paths: recording one call; asking the gate about a key that is not blocked (three hard limits:
/// requests per minute, tokens per day, cost per month); reserving for a key without a cost limit.
/// </summary>
[MemoryDiagnoser]
public class UsageBenchmarks : IDisposable
{
    private static readonly KeyReference Key = KeyReference.Parse("openai/prod");
    private static readonly KeyReference Unlimited = KeyReference.Parse("openai/unlimited");
    private static readonly CostEstimate Estimate = new("gpt-4o", 1_000, 500);
    private readonly FakeClock _clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
    private ServiceProvider _services = null!;
    private IUsageRecorder _recorder = null!;
    private IUsageGate _gate = null!;
    private IBudgetGuard _guard = null!;
    private UsageSample _sample;
    private Instant _now;

    [GlobalSetup]
    public void Setup()
    {
        _services = UsageBenchmarkServices.Build(_clock);
        _services.GetRequiredService<IKeyStore>().CreateAsync(new ManagedKey
        {
            Reference = Key,
            Limits = new UsageLimits
            {
                Limits =
                [
                    new UsageLimit(UsageMetric.Requests, UsageWindow.Minute, 1_000_000_000m),
                    new UsageLimit(UsageMetric.Tokens, UsageWindow.Day, 1_000_000_000_000m),
                    new UsageLimit(UsageMetric.Cost, UsageWindow.Month, 1_000_000m),
                ],
            },
        }).AsTask().GetAwaiter().GetResult();
        _services.GetRequiredService<IUsageQuery>().GetCurrentUsageAsync(Key).AsTask().GetAwaiter().GetResult();
        _services.GetRequiredService<IUsageQuery>().GetCurrentUsageAsync(Unlimited).AsTask().GetAwaiter().GetResult();
        _guard = _services.GetRequiredService<IBudgetGuard>();
        _recorder = _services.GetRequiredService<IUsageRecorder>();
        _gate = _services.GetRequiredService<IUsageGate>();
        _now = _clock.GetCurrentInstant();
        _sample = new UsageSample(Key, _now, "gpt-4o", 1_200, 300, null, "v1");
        _recorder.Record(_sample);
    }

    [Benchmark]
    public void Record() => _recorder.Record(in _sample);

    [Benchmark]
    public bool IsBlocked() => _gate.IsBlocked(Key, _now, out _);

    [Benchmark]
    public bool ReserveWithoutCostLimit()
    {
        var hold = _guard.ReserveAsync(Unlimited, Estimate);
        return hold.IsCompletedSuccessfully ? hold.Result.IsAdmitted : throw new InvalidOperationException("A key without a cost limit must be admitted synchronously.");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _services?.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>One flush of 100,000 recorded samples (100 keys, 5 models, 10 minutes: 5,000 pre-aggregated records) into the in-memory store.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 10, invocationCount: 1)]
public class UsageFlushBenchmarks : IDisposable
{
    private static readonly KeyReference[] Keys = [.. Enumerable.Range(0, 100).Select(i => KeyReference.Parse($"openai/key-{i}"))];
    private static readonly string[] Models = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4o-2024-08-06"];
    private readonly FakeClock _clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
    private ServiceProvider? _services;
    private IUsageRecorder _recorder = null!;

    [IterationSetup]
    public void RecordSamples()
    {
        _services?.Dispose();
        _services = UsageBenchmarkServices.Build(_clock);
        _recorder = _services.GetRequiredService<IUsageRecorder>();
        var start = _clock.GetCurrentInstant();
        for (var i = 0; i < 100_000; i++)
        {
            _recorder.Record(new UsageSample(Keys[i % Keys.Length], start + Duration.FromSeconds(i % 600), Models[i % Models.Length], 1_000, 200, null, "v1"));
        }
    }

    [Benchmark]
    public Task Flush100000Samples() => _recorder.FlushAsync();

    [GlobalCleanup]
    public void Dispose()
    {
        _services?.Dispose();
        GC.SuppressFinalize(this);
    }
}

internal static class UsageBenchmarkServices
{
    public static ServiceProvider Build(IClock clock)
    {
        var services = new ServiceCollection();
        services.AddSingleton(clock);
        services.AddIronCage().AddUsageTracking();
        return services.BuildServiceProvider();
    }
}
