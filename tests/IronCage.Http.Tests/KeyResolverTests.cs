using IronCage.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Http.Tests;

public sealed class KeyResolverTests
{
    private static readonly KeyReference Prod = KeyReference.Parse("openai/prod");

    [Fact]
    public async Task ResolveAsync_CurrentVersion_ReturnsItsSecretAndProviderAuth()
    {
        using var harness = new HttpHarness();
        var secret = harness.NewSecret(ProviderId.OpenAI);
        var stored = await harness.AddKeyAsync("openai/prod", secret);

        var resolved = await harness.Resolver.ResolveAsync(Prod);

        resolved.Secret.Reveal().Should().Be(secret);
        resolved.VersionId.Should().Be(stored.CurrentVersion!.VersionId);
        resolved.Provider.Id.Should().Be(ProviderId.OpenAI);
        resolved.ToString().Should().NotContain(secret);
    }

    [Fact]
    public async Task ResolveAsync_WithoutUsageTracking_ServesAKeyWithHardLimitsAndRegistersNoUsageService()
    {
        using var harness = new HttpHarness();
        var limits = new UsageLimits { Limits = [new UsageLimit(UsageMetric.Requests, UsageWindow.Minute, 1)] };
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI), limits: limits);

        for (var i = 0; i < 3; i++)
        {
            (await harness.Resolver.ResolveAsync(Prod)).Key.Should().Be(Prod, "without AddUsageTracking no usage limit is enforced");
        }

        harness.Services.GetService<IUsageGate>().Should().BeNull("no gate, not even a no-op one, is registered without usage tracking");
        harness.Services.GetService<IronCage.Usage.IUsageStore>().Should().BeNull();
    }

    [Fact]
    public async Task ResolveAsync_SecondCall_IsServedFromTheCacheWithoutReadingTheStore()
    {
        using var harness = new HttpHarness();
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));

        var first = await harness.Resolver.ResolveAsync(Prod);
        var second = harness.Resolver.ResolveAsync(Prod);

        second.IsCompletedSuccessfully.Should().BeTrue("a hit completes synchronously");
        (await second).Should().BeSameAs(first);
    }

    [Fact]
    public async Task ResolveAsync_AfterRotationInThisProcess_ReturnsTheNewVersionAtOnce()
    {
        using var harness = new HttpHarness();
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        var before = await harness.Resolver.ResolveAsync(Prod);
        var changed = new List<KeyReference>();
        harness.Resolver.KeyChanged += (_, e) => changed.Add(e.Key);

        var next = harness.NewSecret(ProviderId.OpenAI);
        var rotated = await harness.RotateAsync("openai/prod", next);
        var after = await harness.Resolver.ResolveAsync(Prod);

        after.VersionId.Should().Be(rotated.CurrentVersion!.VersionId).And.NotBe(before.VersionId);
        after.Secret.Reveal().Should().Be(next);
        changed.Should().Contain(Prod);
    }

    [Fact]
    public async Task ResolveAsync_KilledVersion_ThrowsNoUsableKeyNamingTheKill()
    {
        using var harness = new HttpHarness();
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        await harness.Resolver.ResolveAsync(Prod);

        await harness.KillAsync("openai/prod");
        var act = async () => await harness.Resolver.ResolveAsync(Prod);

        var thrown = (await act.Should().ThrowAsync<NoUsableKeyException>()).Which;
        thrown.Skipped.Should().ContainSingle().Which.Reason.Should().Be(KeySkipReason.Killed);
        thrown.Message.Should().Contain("openai/prod").And.Contain("killed");
    }

    [Fact]
    public async Task ResolveAsync_UnknownKey_ThrowsNoUsableKeySayingItIsNotRegistered()
    {
        using var harness = new HttpHarness();

        var act = async () => await harness.Resolver.ResolveAsync(Prod);

        (await act.Should().ThrowAsync<NoUsableKeyException>()).Which.Skipped.Single().Reason.Should().Be(KeySkipReason.NotFound);
    }

    [Fact]
    public async Task ResolveAsync_ExpiredVersion_ThrowsWithExpired()
    {
        using var harness = new HttpHarness();
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI), expiresAt: harness.Clock.GetCurrentInstant() + Duration.FromHours(1));
        (await harness.Resolver.ResolveAsync(Prod)).Should().NotBeNull();

        harness.Clock.AdvanceHours(1);
        var act = async () => await harness.Resolver.ResolveAsync(Prod);

        (await act.Should().ThrowAsync<NoUsableKeyException>()).Which.Skipped.Single().Reason.Should().Be(KeySkipReason.Expired);
    }

    [Fact]
    public async Task ResolveAsync_StoreDownAfterAChange_KeepsServingTheCachedKey()
    {
        using var harness = new HttpHarness(storeAnnouncesChanges: false);
        var secret = harness.NewSecret(ProviderId.OpenAI);
        await harness.AddKeyAsync("openai/prod", secret);
        var cached = await harness.Resolver.ResolveAsync(Prod);

        ((SilentKeyStore)harness.Store).Down = true;
        harness.Resolver.Invalidate(Prod);
        var served = await harness.Resolver.ResolveAsync(Prod);

        served.Secret.Reveal().Should().Be(secret);
        served.VersionId.Should().Be(cached.VersionId);
        harness.Logs.Entries.Should().Contain(e => e.EventId.Id == 3002);
    }

    [Fact]
    public async Task ResolveAsync_HardLimitReached_ThrowsWithTheGatesReason()
    {
        var gate = new SwitchGate();
        using var harness = new HttpHarness(services: (s, _) => s.AddSingleton<IUsageGate>(gate));
        var limits = new UsageLimits { Limits = [new UsageLimit(UsageMetric.Requests, UsageWindow.Minute, 10)] };
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI), limits: limits);
        (await harness.Resolver.ResolveAsync(Prod)).Should().NotBeNull();

        gate.Blocked = new KeySkip(Prod, KeySkipReason.LimitReached, "10 requests per minute", harness.Clock.GetCurrentInstant() + Duration.FromMinutes(1));
        var act = async () => await harness.Resolver.ResolveAsync(Prod);

        (await act.Should().ThrowAsync<NoUsableKeyException>()).Which.Skipped.Single().Should().Be(gate.Blocked);
    }

    [Theory]
    [InlineData(PoolStrategy.Priority, new[] { "a", "a", "a", "a" })]
    [InlineData(PoolStrategy.RoundRobin, new[] { "a", "b", "c", "a" })]
    [InlineData(PoolStrategy.LeastUsed, new[] { "a", "b", "c", "a" })]
    public async Task ResolvePoolAsync_Strategy_ChoosesKeysInItsOrder(PoolStrategy strategy, string[] expected)
    {
        using var harness = new HttpHarness(b => b.AddKeyPool("chat", strategy, "openai/a", "openai/b", "openai/c"));
        foreach (var name in new[] { "a", "b", "c" })
        {
            await harness.AddKeyAsync($"openai/{name}", harness.NewSecret(ProviderId.OpenAI));
        }

        var chosen = new List<string>();
        for (var i = 0; i < expected.Length; i++)
        {
            chosen.Add((await harness.Resolver.ResolvePoolAsync("chat")).Key.Name);
        }

        chosen.Should().Equal(expected);
    }

    [Fact]
    public async Task ResolvePoolAsync_MostHeadroom_PrefersTheKeyWithMostRateLimitLeft()
    {
        using var harness = new HttpHarness(b => b.AddKeyPool("chat", PoolStrategy.MostHeadroom, "openai/a", "openai/b"));
        await harness.AddKeyAsync("openai/a", harness.NewSecret(ProviderId.OpenAI));
        await harness.AddKeyAsync("openai/b", harness.NewSecret(ProviderId.OpenAI));
        var resolver = harness.Services.GetRequiredService<KeyResolver>();
        var a = await resolver.ResolveAsync(KeyReference.Parse("openai/a"));
        var b = await resolver.ResolveAsync(KeyReference.Parse("openai/b"));

        var health = harness.Services.GetRequiredService<IKeyHealth>();
        health.ReportHeadroom(a.Key, 0.1);
        health.ReportHeadroom(b.Key, 0.7);

        (await resolver.ResolvePoolAsync("chat")).Key.Name.Should().Be("b");
    }

    [Fact]
    public async Task ResolvePoolAsync_EveryKeyUnusable_NamesWhyEachWasSkipped()
    {
        using var harness = new HttpHarness(b => b.AddKeyPool("chat", PoolStrategy.Priority, "openai/a", "openai/b"));
        await harness.AddKeyAsync("openai/a", harness.NewSecret(ProviderId.OpenAI));
        await harness.KillAsync("openai/a");

        var act = async () => await harness.Resolver.ResolvePoolAsync("chat");

        var thrown = (await act.Should().ThrowAsync<NoUsableKeyException>()).Which;
        thrown.Target.Should().Be("chat");
        thrown.Skipped.Select(s => (s.Key.Name, s.Reason)).Should().Equal(("a", KeySkipReason.Killed), ("b", KeySkipReason.NotFound));
    }

    [Fact]
    public async Task ResolvePoolAsync_UnknownPool_ThrowsArgumentExceptionNamingIt()
    {
        using var harness = new HttpHarness();

        var act = async () => await harness.Resolver.ResolvePoolAsync("nope");

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("nope").And.Contain("AddKeyPool");
    }

    [Fact]
    public void AddKeyPool_MixedProviders_FailsAtStart()
    {
        using var harness = new HttpHarness(b => b.AddKeyPool("chat", PoolStrategy.Priority, "openai/a", "anthropic/b"));

        var act = () => harness.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<KeyResolverOptions>>().Value;

        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*mixes providers*");
    }

    private sealed class SwitchGate : IUsageGate
    {
        public KeySkip? Blocked { get; set; }

        public bool IsBlocked(KeyReference key, Instant now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KeySkip? skip)
        {
            skip = Blocked;
            return skip is not null;
        }
    }
}
