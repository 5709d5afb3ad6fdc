using IronCage.Conformance;
using IronCage.Providers.Fireworks;
using IronCage.Providers.Tests;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Providers.Fireworks.Tests;

/// <summary>The conformance suite for Fireworks, against the emulator.</summary>
public sealed class FireworksConformanceTests : EmulatorConformanceTests
{
    protected override ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.Fireworks, "prod") };

    private protected override ProviderHost CreateHost() => FireworksEndToEndTests.Host(Emulator);
}

/// <summary>The rotation engine rotates a Fireworks key automatically at the emulator, with an expiry, on one clock.</summary>
public sealed class FireworksEndToEndTests : IAsyncLifetime
{
    private readonly FakeClock _clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync(new ClockTimeProvider(_clock));

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    internal static ProviderHost Host(ProviderEmulator emulator, FakeClock? clock = null, Action<IServiceCollection>? hostServices = null)
        => new(b => b.AddFireworks("fireworks", o =>
        {
            o.BaseAddress = emulator.Fireworks.BaseAddress;
            o.ManagementKey = emulator.Fireworks.ManagementKey;
            o.AccountId = emulator.Fireworks.AccountId;
            o.UserId = emulator.Fireworks.UserId;
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
        }), FireworksConstants.HttpClientName, clock: clock, hostServices: hostServices);

    [Fact]
    public async Task RotateAsync_CreatesAKeyWithTheLifetimeAsExpireTime_DeletesTheOldOneAfterGrace_AndTheNewOneDiesOnItsOwn()
    {
        using var host = Host(_emulator, _clock);
        var seeded = _emulator.Fireworks.AddKey("prod");
        var reference = new KeyReference(ProviderId.Fireworks, "prod");
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = seeded.Id, Policy = new RotationPolicy { KeyLifetime = Duration.FromDays(30) } }, current);
        }

        var operation = await host.Rotator.RotateAsync(reference, RotationReason.Manual);

        operation.Step.Should().Be(RotationStep.GracePeriod, operation.LastError);
        var key = await host.Keys.GetAsync(reference);
        var version = key.CurrentVersion!;
        var expected = _clock.GetCurrentInstant() + Duration.FromDays(30);
        version.ExpiresAt.Should().Be(expected, "IronCage records that the provider expires the key");
        _emulator.Fireworks.ExpiresAt(version.ProviderKeyId!).Should().Be(expected.ToDateTimeOffset(), "the create carried expireTime");
        using var fresh = await host.OpenAsync(reference, version);
        _emulator.Fireworks.IsValid(fresh.Reveal()).Should().BeTrue();
        _emulator.Fireworks.IsValid(seeded.Secret).Should().BeTrue("both keys work during the grace period");

        await host.FinishGraceAsync();

        _emulator.Fireworks.IsValid(seeded.Secret).Should().BeFalse("the old key was deleted");
        _emulator.Fireworks.Requests.Should().Contain(r => r.StartsWith("POST v1/accounts/", StringComparison.Ordinal) && r.EndsWith("/apiKeys:delete", StringComparison.Ordinal));
        (await host.Adapter.VerifyAsync(ProviderKeyContext.For(key), fresh)).IsValid.Should().BeTrue();
        using (var old = seeded.ToSecretValue())
        {
            (await host.Adapter.VerifyAsync(ProviderKeyContext.For(key), old)).ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        }

        _clock.Advance(Duration.FromDays(31));
        _emulator.Fireworks.IsValid(fresh.Reveal()).Should().BeFalse("the key passed its expireTime");
        (await host.Adapter.VerifyAsync(ProviderKeyContext.For(key), fresh)).ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        host.Logs.ShouldNotContainAny([seeded.Secret, fresh.Reveal(), _emulator.Fireworks.ManagementKey]);
    }

    [Fact]
    public async Task RotateAsync_HostWithStandardResilienceDefaultsAndACreateAnswered500AfterActing_SendsItOnceAndEndsWithOneLiveKey()
    {
        using var host = Host(_emulator, _clock, s => s.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler()));
        var seeded = _emulator.Fireworks.AddKey("prod");
        var reference = new KeyReference(ProviderId.Fireworks, "prod");
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = seeded.Id }, current);
        }

        _emulator.Fireworks.InjectFault(new EmulatedFault { StatusCode = 500, AfterHandling = true, Method = "POST", PathContains = "/apiKeys" });

        var operation = await host.Rotator.RotateAsync(reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero });

        operation.Step.Should().Be(RotationStep.Completed, operation.LastError);
        _emulator.Fireworks.Requests.Count(r => r.StartsWith("POST", StringComparison.Ordinal) && r.EndsWith("/apiKeys", StringComparison.Ordinal))
            .Should().Be(2, "the create answered 500 reached the provider once (no layer resent it); the engine removed what it made and created once more");
        var live = new List<ProviderKeyInfo>();
        await foreach (var key in host.Adapter.ListKeysAsync(ProviderKeyContext.For(await host.Keys.GetAsync(reference))))
        {
            live.Add(key);
        }

        live.Should().ContainSingle("the orphan of the 500 and the old key are gone").Which.ProviderKeyId.Should().Be(operation.NewProviderKeyId);
        _emulator.Fireworks.IsValid(seeded.Secret).Should().BeFalse();
        host.Logs.ShouldNotContainAny([seeded.Secret, _emulator.Fireworks.ManagementKey]);
    }

    [Fact]
    public async Task ListKeysAsync_FollowsPageTokens()
    {
        using var host = Host(_emulator, _clock);
        _emulator.Fireworks.PageSize = 2;
        var seeded = Enumerable.Range(0, 5).Select(i => _emulator.Fireworks.AddKey("k" + i).Id).ToList();
        _emulator.Fireworks.AddKey("someone-else", userId: "other-user");

        var listed = new List<string>();
        await foreach (var key in host.Adapter.ListKeysAsync(new ProviderKeyContext { Key = new KeyReference(ProviderId.Fireworks, "prod") }))
        {
            listed.Add(key.ProviderKeyId);
        }

        listed.Should().BeEquivalentTo(seeded, "the admin's management key and other users' keys are not the user's");
        _emulator.Fireworks.Requests.Count(r => r.StartsWith("GET v1/", StringComparison.Ordinal)).Should().Be(3);
    }

    [Fact]
    public async Task Emulator_ChatCompletionWithALiveKey_AnswersWithUsage_AndRefusesAnUnknownKeyWithTheErrorShape()
    {
        var seeded = _emulator.Fireworks.AddKey("prod");
        using var client = new HttpClient { BaseAddress = _emulator.Fireworks.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "inference/v1/chat/completions") { Content = new StringContent("""{"model":"accounts/fireworks/models/llama-v3p1-8b-instruct","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", seeded.Secret);
        using var unknown = new HttpRequestMessage(HttpMethod.Get, "inference/v1/models");
        unknown.Headers.Authorization = new("Bearer", "not-a-key");

        using var answer = await client.SendAsync(request);
        using var refused = await client.SendAsync(unknown);

        answer.IsSuccessStatusCode.Should().BeTrue();
        (await answer.Content.ReadAsStringAsync()).Should().Contain("\"total_tokens\":" + EmulatorConstants.TotalTokens);
        ((int)refused.StatusCode).Should().Be(401);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("\"code\":\"UNAUTHORIZED\"");
    }

    [Fact]
    public async Task DeleteKeyAsync_AnUnknownIdAnswers404AtTheEmulator_AndTheAdapterTreatsItAsGone()
    {
        using var host = Host(_emulator, _clock);

        await host.Adapter.DeleteKeyAsync(new ProviderKeyContext { Key = new KeyReference(ProviderId.Fireworks, "prod") }, "no-such-key");

        _emulator.Fireworks.Requests.Should().ContainSingle(r => r.EndsWith("/apiKeys:delete", StringComparison.Ordinal));
    }

    /// <summary>The emulator's clock is the host's <see cref="FakeClock"/>, so an expiry is judged on the same time.</summary>
    private sealed class ClockTimeProvider(IClock clock) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => clock.GetCurrentInstant().ToDateTimeOffset();
    }
}
