using IronCage.Encryption;
using IronCage.Storage;
using IronCage.Testing;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Conformance;

/// <summary>
/// Two host instances over one store: usage recorded on one reaches the other's gate and queries through the store's
/// usage change feed. Subclass it with a fresh database per test and the store's <c>PersistTo…</c> call.
/// </summary>
public abstract class UsagePropagationConformanceTests
{
    // Generous on purpose: the assertion is that the other instance blocks the key at all without its 1-hour safety-net
    // refresh; how fast it does is measured for PostgreSQL by UsagePropagationBenchmarks (goal: p99 ≤ 1 s).
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private static readonly KeyReference Key = new(ProviderId.OpenAI, "prod");

    [ConformanceFact]
    public async Task HardLimitReachedThroughOneInstance_BlocksTheKeyOnTheOtherInstance()
    {
        var connectionString = CreateDatabase();
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var masterKey = LocalMasterKeyProvider.GenerateMasterKey();
        await using var first = Instance(connectionString, clock, masterKey);
        await using var second = Instance(connectionString, clock, masterKey);
        var hosted = first.GetServices<IHostedService>().Concat(second.GetServices<IHostedService>()).ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        try
        {
            await first.GetRequiredService<IKeyStore>().CreateAsync(new ManagedKey
            {
                Reference = Key,
                Limits = new UsageLimits { Limits = [new UsageLimit(UsageMetric.Requests, UsageWindow.Day, 5)] },
            });
            var gate = second.GetRequiredService<IUsageGate>();
            (await second.GetRequiredService<IUsageQuery>().GetCurrentUsageAsync(Key)).Day.Requests.Should().Be(0);
            gate.IsBlocked(Key, clock.GetCurrentInstant(), out _).Should().BeFalse();

            var recorder = first.GetRequiredService<IUsageRecorder>();
            for (var i = 0; i < 5; i++)
            {
                recorder.Record(new UsageSample(Key, clock.GetCurrentInstant(), "gpt-4o-mini", 100, 20, null, "kv_1"));
            }

            KeySkip? skip = null;
            (await EventuallyAsync(() => gate.IsBlocked(Key, clock.GetCurrentInstant(), out skip))).Should().BeTrue("the other instance's flush is announced by the store's usage change feed and read at once");
            skip!.Reason.Should().Be(KeySkipReason.LimitReached);
            (await second.GetRequiredService<IUsageQuery>().GetCurrentUsageAsync(Key)).Day.Requests.Should().Be(5, "the other instance's usage is counted once");
            (await first.GetRequiredService<IUsageQuery>().GetCurrentUsageAsync(Key)).Day.Requests.Should().Be(5, "an instance's own flush does not come back to it as another instance's usage");
        }
        finally
        {
            foreach (var service in hosted)
            {
                await service.StopAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>Creates an empty database for one test and returns its connection string.</summary>
    protected abstract string CreateDatabase();

    /// <summary>Persists an instance's keys and usage in the store under test (<c>PersistToSqlite</c>, …).</summary>
    protected abstract void PersistStores(IIronCageBuilder builder, string connectionString);

    /// <summary>One instance with usage tracking whose safety-net refresh never comes during a test: only the feed can carry usage.</summary>
    private ServiceProvider Instance(string connectionString, FakeClock clock, string masterKey)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IClock>(clock);
        var builder = services.AddIronCage()
            .ProtectKeysWithMasterKey(masterKey)
            .AddUsageTracking(o => o.RefreshInterval = TimeSpan.FromHours(1));
        PersistStores(builder, connectionString);
        return services.BuildServiceProvider();
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(10);
        }

        return condition();
    }
}
