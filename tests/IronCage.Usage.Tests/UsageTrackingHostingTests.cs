using IronCage.Core.Tests.Support;
using IronCage.Storage;
using IronCage.Testing;
using IronCage.Usage;
using IronCage.Usage.Pricing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Usage.Tests;

public sealed class UsageTrackingHostingTests
{
    private static readonly KeyReference Key = UsageHarness.OpenAI;

    [Fact]
    public void AddIronCage_WithoutUsageTracking_RegistersNoUsageService()
    {
        using var provider = new ServiceCollection().AddIronCage().Services.BuildServiceProvider();

        provider.GetService<IUsageStore>().Should().BeNull();
        provider.GetService<IUsageQuery>().Should().BeNull();
        provider.GetServices<IHostedService>().Should().BeEmpty();
        provider.GetService<IUsageRecorder>().Should().BeNull();
        provider.GetService<IUsageGate>().Should().BeNull();
        provider.GetService<IBudgetGuard>().Should().BeNull();
    }

    [Fact]
    public async Task AddUsageTracking_CalledTwice_RegistersOnceAndFlushesOnHostStop()
    {
        var store = new InMemoryUsageStore();
        using var host = BuildHost(store, o => o.FlushInterval = TimeSpan.FromHours(1), o => o.MaxPendingRecords = 10);
        var services = host.Services;
        services.GetServices<IHostedService>().OfType<UsageTrackingService>().Should().ContainSingle();
        services.GetRequiredService<IUsageRecorder>().Should().BeSameAs(services.GetRequiredService<IUsageGate>());
        services.GetRequiredService<IOptions<UsageTrackingOptions>>().Value.MaxPendingRecords.Should().Be(10);
        services.GetRequiredService<IPriceCatalog>().Version.Should().Be(PriceCatalog.BuiltInVersion);

        await host.StartAsync();
        var recorder = services.GetRequiredService<IUsageRecorder>();
        recorder.Record(new UsageSample(Key, services.GetRequiredService<IClock>().GetCurrentInstant(), "gpt-4o", 10, 5));
        await host.StopAsync();

        var stored = await store.AggregateAsync(new UsageAggregateQuery { From = Instant.MinValue, To = Instant.MaxValue, Granularity = UsageWindow.Month });
        stored.Should().ContainSingle().Which.Requests.Should().Be(1);
    }

    [Theory]
    [InlineData("flush")]
    [InlineData("fallback")]
    [InlineData("price")]
    [InlineData("duplicate")]
    public async Task AddUsageTracking_InvalidOptions_StopStartUp(string problem)
    {
        using var host = BuildHost(new InMemoryUsageStore(), problem switch
        {
            "flush" => o => o.FlushInterval = TimeSpan.Zero,
            "fallback" => o => o.UnpricedModelPolicy = UnpricedModelPolicy.UseFallbackRate,
            "duplicate" => o =>
            {
                o.Prices.Add(new ModelPrice { Provider = ProviderId.OpenAI, Model = "gpt-x", InputPerMillion = 1m, OutputPerMillion = 1m, EffectiveFrom = Instant.MinValue });
                o.Prices.Add(new ModelPrice { Provider = ProviderId.OpenAI, Model = "GPT-X", InputPerMillion = 2m, OutputPerMillion = 2m, EffectiveFrom = Instant.MinValue });
            },
            _ => o => o.Prices.Add(new ModelPrice { Provider = ProviderId.OpenAI, Model = "gpt-x", InputPerMillion = -1m, OutputPerMillion = 1m, EffectiveFrom = Instant.MinValue }),
        });

        var failure = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();
        failure.Which.Message.Should().Contain(problem switch
        {
            "flush" => "FlushInterval",
            "fallback" => "FallbackInputPerMillion",
            "duplicate" => "keep one",
            _ => "negative",
        });
    }

    [Fact]
    public async Task UsageFlow_WithStoreFailuresDenialsAndAlerts_LogsNoSecret()
    {
        var logs = new RecordingLoggerProvider();
        var secret = FakeKeys.GenerateText(ProviderId.OpenAI);
        var store = new FlakyUsageStore();
        using var host = new HostBuilder()
            .ConfigureLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace))
            .ConfigureServices(services =>
            {
                services.AddSingleton<IClock>(FakeClock.FromUtc(2026, 3, 10, 12, 0, 0));
                services.AddSingleton<IUsageStore>(store);
                services.AddIronCage().ProtectKeysWithMasterKey(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)))
                    .AddUsageTracking(o => o.MaxPendingRecords = 1);
            })
            .Build();
        await host.StartAsync();
        var keys = host.Services.GetRequiredService<IKeyStore>();
        await keys.CreateAsync(new ManagedKey { Reference = Key, Limits = UsageHarness.Limits([0.5m], new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 0.01m)) });
        var guard = host.Services.GetRequiredService<IBudgetGuard>();
        var recorder = host.Services.GetRequiredService<IUsageRecorder>();
        var clock = host.Services.GetRequiredService<IClock>();

        (await guard.ReserveAsync(Key, new CostEstimate("unknown-model", 10, 10))).IsAdmitted.Should().BeFalse();
        (await guard.ReserveAsync(Key, new CostEstimate("gpt-4o", 1_000_000, 1_000))).IsAdmitted.Should().BeFalse();
        store.Down = true;
        recorder.Record(new UsageSample(Key, clock.GetCurrentInstant(), "gpt-4o", 10_000, 0, ProviderErrorKind.InvalidKey, "v1"));
        recorder.Record(new UsageSample(Key, clock.GetCurrentInstant(), "other", 10_000, 0, null, "v1"));
        await recorder.FlushAsync();
        store.Down = false;
        await host.Services.GetRequiredService<UsageAlertMonitor>().EvaluateAsync(clock.GetCurrentInstant());
        await host.StopAsync();

        logs.Entries.Select(e => e.EventId.Id).Should().Contain([300, 301, 302, 305, 310]);
        logs.AllText.Should().NotContain(t => t.Contains(secret, StringComparison.Ordinal) || t.Contains("sk-", StringComparison.Ordinal));
    }

    private static IHost BuildHost(IUsageStore store, params Action<UsageTrackingOptions>[] configure)
        => new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddSingleton(store);
                var builder = services.AddIronCage().ProtectKeysWithMasterKey(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
                foreach (var c in configure)
                {
                    builder.AddUsageTracking(c);
                }
            })
            .Build();
}
