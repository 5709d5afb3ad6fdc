using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Benchmarks;

/// <summary>
/// Planning over 10,000 managed keys, and rotating 1,000 keys end to end (create, store, verify, promote, revoke)
/// against the fake provider with 16 rotations in flight.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class RotationBenchmarks : IDisposable
{
    private readonly FakeClock _clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
    private ServiceProvider _planServices = null!;
    private ServiceProvider _rotateServices = null!;
    private List<KeyReference> _toRotate = [];
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        _planServices = Build(FakeProviderAdapter.For(ProviderId.OpenAI, _clock));
        RegisterAsync(_planServices, "plan", 10_000, new RotationPolicy { Schedule = RotationSchedule.Monthly, Jitter = Duration.FromHours(6) }).GetAwaiter().GetResult();
        _rotateServices = Build(FakeProviderAdapter.For(ProviderId.OpenAI, _clock));
    }

    [IterationSetup(Target = nameof(Rotate1000KeysWithParallelism16))]
    public void RegisterKeysToRotate()
        => _toRotate = RegisterAsync(_rotateServices, "round" + _round++, 1_000, RotationPolicy.Default).GetAwaiter().GetResult();

    [Benchmark]
    public async Task<int> Plan10000Keys()
    {
        var plan = await _planServices.GetRequiredService<IKeyRotator>().PlanAsync(Instant.FromUtc(2026, 12, 1, 12, 0));
        return plan.Items.Count;
    }

    [Benchmark]
    public async Task Rotate1000KeysWithParallelism16()
    {
        var rotator = _rotateServices.GetRequiredService<IKeyRotator>();
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
        _planServices.Dispose();
        _rotateServices.Dispose();
        GC.SuppressFinalize(this);
    }

    private ServiceProvider Build(FakeProviderAdapter provider)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IClock>(_clock);
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddProviderAdapter(provider).AddRotation();
        return services.BuildServiceProvider();
    }

    private static async Task<List<KeyReference>> RegisterAsync(ServiceProvider services, string prefix, int count, RotationPolicy policy)
    {
        var rotator = services.GetRequiredService<IKeyRotator>();
        var provider = (FakeProviderAdapter)services.GetRequiredService<IProviderAdapter>();
        var keys = new List<KeyReference>(count);
        for (var i = 0; i < count; i++)
        {
            using var secret = FakeKeys.Generate(ProviderId.OpenAI);
            var id = provider.AddExistingKey(secret);
            var reference = new KeyReference(ProviderId.OpenAI, $"{prefix}-{i}");
            await rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = id, Policy = policy, Verify = false }, secret);
            keys.Add(reference);
        }

        return keys;
    }
}
