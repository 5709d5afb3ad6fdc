using IronCage.Conformance;
using IronCage.Providers.OpenRouter;
using IronCage.Providers.Tests;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Providers.OpenRouter.Tests;

/// <summary>The conformance suite for OpenRouter, against the emulator.</summary>
public sealed class OpenRouterConformanceTests : EmulatorConformanceTests
{
    protected override ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.OpenRouter, "prod") };

    private protected override ProviderHost CreateHost() => OpenRouterEndToEndTests.Host(Emulator);
}

/// <summary>The rotation engine rotates an OpenRouter key automatically at the emulator; usage is reported.</summary>
public sealed class OpenRouterEndToEndTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    internal static ProviderHost Host(ProviderEmulator emulator, Action<IServiceCollection>? hostServices = null)
        => new(b => b.AddOpenRouter("openrouter", o =>
        {
            o.BaseAddress = emulator.OpenRouter.BaseAddress;
            o.ManagementKey = emulator.OpenRouter.ManagementKey;
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
        }), OpenRouterConstants.HttpClientName, hostServices: hostServices);

    [Fact]
    public async Task RotateAsync_HostWithStandardResilienceDefaultsAndACreateAnswered500AfterActing_SendsItOnceAndEndsWithOneLiveKey()
    {
        using var host = Host(_emulator, s => s.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler()));
        var seeded = _emulator.OpenRouter.AddKey("prod");
        var reference = new KeyReference(ProviderId.OpenRouter, "prod");
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = seeded.Id }, current);
        }

        _emulator.OpenRouter.InjectFault(new EmulatedFault { StatusCode = 500, AfterHandling = true, Method = "POST", PathContains = "/keys" });

        var operation = await host.Rotator.RotateAsync(reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero });

        operation.Step.Should().Be(RotationStep.Completed, operation.LastError);
        _emulator.OpenRouter.Requests.Count(r => r.StartsWith("POST", StringComparison.Ordinal) && r.Contains("keys", StringComparison.Ordinal))
            .Should().Be(2, "the create answered 500 reached the provider once (no layer resent it); the engine removed what it made and created once more");
        var live = new List<ProviderKeyInfo>();
        await foreach (var key in host.Adapter.ListKeysAsync(ProviderKeyContext.For(await host.Keys.GetAsync(reference))))
        {
            live.Add(key);
        }

        live.Where(k => k.Status == ProviderKeyStatus.Active).Should().ContainSingle("the orphan of the 500 and the old key are gone").Which.ProviderKeyId.Should().Be(operation.NewProviderKeyId);
        _emulator.OpenRouter.IsValid(seeded.Secret).Should().BeFalse();
    }

    [Fact]
    public async Task RotateAsync_CreatesAKeyWithTheLimitAndDeletesTheOldOneAfterGrace()
    {
        using var host = Host(_emulator);
        var seeded = _emulator.OpenRouter.AddKey("prod");
        var reference = new KeyReference(ProviderId.OpenRouter, "prod");
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = seeded.Id, Limits = new UsageLimits { Limits = [new UsageLimit(UsageMetric.Cost, UsageWindow.Month, 25m)] } }, current);
        }

        var operation = await host.Rotator.RotateAsync(reference, RotationReason.Manual);

        operation.Step.Should().Be(RotationStep.GracePeriod, operation.LastError);
        var key = await host.Keys.GetAsync(reference);
        var version = key.CurrentVersion!;
        using var fresh = await host.OpenAsync(reference, version);
        _emulator.OpenRouter.IsValid(fresh.Reveal()).Should().BeTrue();
        _emulator.OpenRouter.IsValid(seeded.Secret).Should().BeTrue("both keys work during the grace period");
        var info = await host.Adapter.GetKeyAsync(ProviderKeyContext.For(key), version.ProviderKeyId!);
        info!.Metadata[OpenRouterConstants.LimitMetadataKey].Should().Be("25");
        info.Metadata[OpenRouterConstants.LimitResetMetadataKey].Should().Be("monthly");

        await host.FinishGraceAsync();

        _emulator.OpenRouter.IsValid(seeded.Secret).Should().BeFalse("the old key was deleted");
        (await host.Adapter.VerifyAsync(ProviderKeyContext.For(key), fresh)).IsValid.Should().BeTrue();
        using (var old = seeded.ToSecretValue())
        {
            (await host.Adapter.VerifyAsync(ProviderKeyContext.For(key), old)).ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        }

        host.Logs.ShouldNotContainAny([seeded.Secret, fresh.Reveal(), _emulator.OpenRouter.ManagementKey]);
    }

    [Fact]
    public async Task GetReportedUsageAsync_ReportsWhatTheProviderCounted()
    {
        using var host = Host(_emulator);
        var seeded = _emulator.OpenRouter.AddKey("prod");
        _emulator.OpenRouter.SetUsage(seeded.Id, total: 3.5m, daily: 0.5m, weekly: 1.5m, monthly: 3.5m);
        var reporter = host.Services.GetServices<IProviderUsageReporter>().Should().ContainSingle().Subject;

        var usage = await reporter.GetReportedUsageAsync(new ProviderKeyContext { Key = new KeyReference(ProviderId.OpenRouter, "prod") }, seeded.Id);

        reporter.Should().BeSameAs(host.Adapter);
        usage!.Total.Should().Be(3.5m);
        usage.Daily.Should().Be(0.5m);
        usage.Weekly.Should().Be(1.5m);
        usage.Monthly.Should().Be(3.5m);
    }

    [Fact]
    public async Task ListKeysAsync_FollowsOffsetPages()
    {
        using var host = Host(_emulator);
        _emulator.OpenRouter.PageSize = 2;
        var seeded = Enumerable.Range(0, 5).Select(i => _emulator.OpenRouter.AddKey("k" + i).Id).ToList();

        var listed = new List<string>();
        await foreach (var key in host.Adapter.ListKeysAsync(new ProviderKeyContext { Key = new KeyReference(ProviderId.OpenRouter, "prod") }))
        {
            listed.Add(key.ProviderKeyId);
        }

        listed.Should().BeEquivalentTo(seeded);
    }
}
