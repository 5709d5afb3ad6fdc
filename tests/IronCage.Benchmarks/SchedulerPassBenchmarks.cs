using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Benchmarks;

/// <summary>
/// One scheduler pass over an SQLite file with 10,000 scheduled keys of which 10 are due, each pass rotating its 10 due
/// keys (fake provider, monthly schedule, into their grace periods). <see cref="ListEveryKey"/> is how the scheduler
/// found its work before the due query: a plan over every key (each key read, its unfinished and failed operations
/// looked up) and a second full listing for expiry warnings, then the due rotations. <see cref="DueQuery"/> is
/// <see cref="RotationScheduler.RunDueAsync"/>: the key store's indexed due query and the unfinished operations only.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class SchedulerPassBenchmarks : IDisposable
{
    private const int KeyCount = 10_000;
    private const int DueCount = 10;
    private static readonly RotationPolicy Monthly = new() { Schedule = RotationSchedule.Monthly };
    private static readonly Instant RegisteredAt = Instant.FromUtc(2026, 11, 1, 9, 0);
    private static readonly Instant PassAt = Instant.FromUtc(2026, 12, 1, 10, 0);

    private readonly FakeClock _clock = new(RegisteredAt);
    private ServiceProvider _services = null!;
    private string _folder = null!;
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "ironcage-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IClock>(_clock);
        services.AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .AddProviderAdapter(FakeProviderAdapter.For(ProviderId.OpenAI, _clock))
            .AddRotation()
            .AddRotationScheduler()
            .PersistToSqlite("Data Source=" + Path.Combine(_folder, "bench.db"));
        _services = services.BuildServiceProvider();
        CreateScheduledKeysAsync(KeyCount - DueCount).GetAwaiter().GetResult();
    }

    /// <summary>Registers the pass's 10 due keys (the previous pass's keys are in their grace periods, not due).</summary>
    [IterationSetup]
    public void RegisterDueKeys() => RegisterDueKeysAsync("due" + _round++).GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    public async Task ListEveryKey()
    {
        var rotator = _services.GetRequiredService<IKeyRotator>();
        var plan = await rotator.PlanAsync(PassAt);
        await Parallel.ForEachAsync(plan.Items.Where(i => i.IsDue && i.Action == PlannedAction.Rotate), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (item, token) =>
            Check(await rotator.RotateAsync(item.Key, RotationReason.Scheduled, cancellationToken: token)));

        var lead = IronCageConstants.DefaultExpiryWarningLead;
        var expiring = 0;
        await foreach (var key in _services.GetRequiredService<IKeyStore>().ListAsync())
        {
            expiring += ManagedKeyDue.ExpiringVersions(key, PassAt, lead).Count;
        }

        if (expiring != 0)
        {
            throw new InvalidOperationException("No key of the benchmark expires.");
        }
    }

    [Benchmark]
    public async Task DueQuery()
    {
        var result = await _services.GetRequiredService<RotationScheduler>().RunDueAsync(PassAt);
        if (result.Started != DueCount || result.Errors != 0)
        {
            throw new InvalidOperationException($"The pass started {result.Started} rotations with {result.Errors} errors; {DueCount} were due.");
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static void Check(RotationOperation operation)
    {
        if (operation.Step != RotationStep.GracePeriod)
        {
            throw new InvalidOperationException($"{operation.Key} ended at {operation.Step}: {operation.LastError}");
        }
    }

    // Keys that are not due: activated a week before the pass, so monthly rotation is weeks away. Written to the store
    // directly (their secrets are never opened), which is much faster than registering 10,000 keys.
    private async Task CreateScheduledKeysAsync(int count)
    {
        var store = _services.GetRequiredService<IKeyStore>();
        var protector = _services.GetRequiredService<ISecretProtector>();
        var activatedAt = PassAt - Duration.FromDays(7);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, token) =>
        {
            var reference = new KeyReference(ProviderId.OpenAI, "key-" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture));
            var versionId = KeyVersion.NewVersionId();
            using var secret = FakeKeys.Generate(ProviderId.OpenAI);
            await store.CreateAsync(
                new ManagedKey
                {
                    Reference = reference,
                    Policy = Monthly,
                    CreatedAt = activatedAt,
                    Versions =
                    [
                        new KeyVersion
                        {
                            VersionId = versionId,
                            ProviderKeyId = "provider-" + i,
                            Stage = KeyStage.Current,
                            CreatedAt = activatedAt,
                            ActivatedAt = activatedAt,
                            DisplayHint = secret.DisplayHint,
                            Fingerprint = "fp-" + i,
                            Secret = await protector.SealAsync(secret, new SecretBinding(reference, versionId), token),
                        },
                    ],
                },
                token);
        });
    }

    private async Task RegisterDueKeysAsync(string prefix)
    {
        _clock.Reset(RegisteredAt);
        var rotator = _services.GetRequiredService<IKeyRotator>();
        var provider = (FakeProviderAdapter)_services.GetRequiredService<IProviderAdapter>();
        for (var i = 0; i < DueCount; i++)
        {
            using var secret = FakeKeys.Generate(ProviderId.OpenAI);
            var id = provider.AddExistingKey(secret);
            await rotator.RegisterAsync(new KeyRegistration { Reference = new KeyReference(ProviderId.OpenAI, $"{prefix}-{i}"), ProviderKeyId = id, Policy = Monthly, Verify = false }, secret);
        }

        _clock.Reset(PassAt);
    }
}
