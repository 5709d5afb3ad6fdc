using System.Net;
using IronCage.Http.Tests.Support;
using IronCage.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IronCage.Http.Tests.Adoption;

/// <summary>The key handler counts in-flight requests per resolved version; the heartbeat reports them with the served version and LastUsedAt.</summary>
public sealed class InstanceHeartbeatTests
{
    private static readonly Uri Chat = new("https://api.openai.com/v1/chat/completions");
    private static readonly KeyReference Key = KeyReference.Parse("openai/prod");

    [Fact]
    public async Task PublishAsync_RequestInFlight_CountsItOnItsVersionUntilTheAnswerArrives()
    {
        using var harness = Harness();
        var key = await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        var version = key.CurrentVersion!.VersionId;
        var (entered, release) = Hold(harness);
        var publisher = harness.Services.GetRequiredService<InstanceHeartbeatPublisher>();

        var sending = harness.CreateClient("llm").PostAsync(Chat, new StringContent("{}"));
        await entered.WaitAsync(TimeSpan.FromSeconds(30));
        var during = await publisher.PublishAsync();
        release.SetResult();
        (await sending).StatusCode.Should().Be(HttpStatusCode.OK);
        var after = await publisher.PublishAsync();

        during.InstanceId.Should().Be("web-1");
        during.Versions.Should().Equal(new ServedKeyVersion { Key = Key, VersionId = version, Serving = true, InFlight = 1, LastUsedAt = harness.Clock.GetCurrentInstant() });
        after.Versions.Should().Equal([new ServedKeyVersion { Key = Key, VersionId = version, Serving = true }], "the answer is in, and nothing used it since the last heartbeat");
        (await harness.Store.GetAsync(Key)).FindVersion(version)!.LastUsedAt.Should().Be(harness.Clock.GetCurrentInstant(), "LastUsedAt is written with the heartbeat");
    }

    [Fact]
    public async Task PublishAsync_RotatedWhileARequestIsInFlight_ReportsTheNewVersionServedAndTheOldInFlight()
    {
        using var harness = Harness();
        var old = (await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI))).CurrentVersion!.VersionId;
        var (entered, release) = Hold(harness);
        var client = harness.CreateClient("llm");
        var sending = client.PostAsync(Chat, new StringContent("{}"));
        await entered.WaitAsync(TimeSpan.FromSeconds(30));

        var rotated = (await harness.RotateAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI))).CurrentVersion!.VersionId;
        harness.Provider.Then(200, "{}");
        (await client.PostAsync(Chat, new StringContent("{}"))).Dispose();
        var heartbeat = await harness.Services.GetRequiredService<InstanceHeartbeatPublisher>().PublishAsync();
        release.SetResult();
        (await sending).Dispose();

        heartbeat.Versions.Should().BeEquivalentTo([
            new ServedKeyVersion { Key = Key, VersionId = old, Serving = false, InFlight = 1, LastUsedAt = harness.Clock.GetCurrentInstant() },
            new ServedKeyVersion { Key = Key, VersionId = rotated, Serving = true, InFlight = 0, LastUsedAt = harness.Clock.GetCurrentInstant() },
        ]);
    }

    [Fact]
    public async Task AddIronCageKey_WithoutAddInstanceHeartbeat_CountsNothing()
    {
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        harness.Provider.Then(200, "{}");

        (await harness.CreateClient("llm").PostAsync(Chat, new StringContent("{}"))).StatusCode.Should().Be(HttpStatusCode.OK);

        harness.Services.GetService<InstanceHeartbeatPublisher>().Should().BeNull();
        harness.Services.GetServices<IHostedService>().Should().NotContain(s => s.GetType().Name == "InstanceHeartbeatService");
    }

    [Fact]
    public async Task InstanceHeartbeatService_StartThenStop_BeatsAtOnceAndSaysGoodbye()
    {
        using var harness = Harness();
        var store = harness.Services.GetRequiredService<IInstanceHeartbeatStore>();
        var service = harness.Services.GetServices<IHostedService>().Single(s => s.GetType().Name == "InstanceHeartbeatService");

        await service.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await store.ListAsync(harness.Clock.GetCurrentInstant())).Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        (await store.ListAsync(harness.Clock.GetCurrentInstant())).Select(h => h.InstanceId).Should().Equal("web-1");
        await service.StopAsync(CancellationToken.None);

        (await store.ListAsync(harness.Clock.GetCurrentInstant())).Should().BeEmpty("a graceful stop removes the heartbeat, so no rotation waits for it");
    }

    [Fact]
    public void AddInstanceHeartbeat_IntervalZero_FailsValidation()
    {
        using var harness = new HttpHarness(b => b.AddInstanceHeartbeat(o => o.Interval = TimeSpan.Zero));

        var read = () => harness.Services.GetRequiredService<IOptions<InstanceHeartbeatOptions>>().Value;

        read.Should().Throw<OptionsValidationException>().WithMessage("*Interval*");
    }

    private static HttpHarness Harness()
        => new(b => b.AddInstanceHeartbeat(o => o.InstanceId = "web-1"), (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));

    private static (SemaphoreSlim Entered, TaskCompletionSource Release) Hold(HttpHarness harness)
    {
        var entered = new SemaphoreSlim(0);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Provider.ThenAsync(async _ =>
        {
            entered.Release();
            await release.Task;
            return ScriptedHandler.Json(200, "{}");
        });
        return (entered, release);
    }
}
