using System.Net;
using System.Net.Http.Json;
using IronCage.Auditing;
using IronCage.Leaks.Egress;
using IronCage.Leaks.Response;
using IronCage.Leaks.Tests.Support;
using IronCage.Providers;
using IronCage.Testing;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Leaks.Tests.Egress;

public sealed class LeakEgressGuardTests
{
    [Fact]
    public async Task SendAsync_ChatMessageCarryingAManagedKey_IsRefusedBeforeItLeaves()
    {
        var upstream = new RecordingHandler();
        using var harness = Harness(upstream);
        var (_, ownKey) = await harness.RegisterAsync("prod");
        var (leakedRef, leaked) = await harness.RegisterAsync("other");
        var client = harness.Services.GetRequiredService<IHttpClientFactory>().CreateClient("chat");
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "gpt-4o", messages = new[] { new { role = "user", content = $"my tool printed {leaked.Reveal()} — what is it?" } } }),
        };
        request.Headers.Authorization = new("Bearer", ownKey.Reveal());

        var act = () => client.SendAsync(request);

        var thrown = (await act.Should().ThrowAsync<LeakedKeyEgressException>()).Which;
        thrown.Key.Should().Be(leakedRef.Reference);
        thrown.Message.Should().NotContain(leaked.Reveal()).And.Contain(leakedRef.Reference.ToString());
        upstream.Bodies.Should().BeEmpty("the request never reached the provider");
        var audit = new List<AuditRecord>();
        await foreach (var record in harness.Shared.Audit.ReadAsync())
        {
            audit.Add(record);
        }

        var blocked = audit.Should().ContainSingle(r => r.Event.Action == LeakAuditActions.EgressBlocked).Subject.Event;
        blocked.Target.Should().Be(leakedRef.Reference.ToString());
        blocked.Details.Should().Contain("destination", "https://api.openai.com/v1/chat/completions");
        string.Join(' ', blocked.Details.Values).Should().NotContain(leaked.Reveal());
    }

    [Fact]
    public async Task SendAsync_BodyWithoutManagedKeys_IsSentUnchanged()
    {
        var upstream = new RecordingHandler();
        using var harness = Harness(upstream);
        await harness.RegisterAsync("prod");
        var client = harness.Services.GetRequiredService<IHttpClientFactory>().CreateClient("chat");
        var stranger = LeakTestKeys.Generate(ProviderId.OpenAI);

        using var response = await client.PostAsync("https://api.openai.com/v1/chat/completions", new StringContent($"{{\"content\":\"hello {stranger}\"}}"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        upstream.Bodies.Should().ContainSingle().Which.Should().Contain(stranger);
    }

    [Fact]
    public async Task SendAsync_KeyRegisteredAfterTheFirstRequest_IsGuardedAtOnce()
    {
        var upstream = new RecordingHandler();
        using var harness = Harness(upstream);
        var client = harness.Services.GetRequiredService<IHttpClientFactory>().CreateClient("chat");
        (await client.PostAsync("https://api.openai.com/v1/x", new StringContent("warm-up"))).Dispose();
        var (_, secret) = await harness.RegisterAsync("late");

        var act = () => client.PostAsync("https://api.openai.com/v1/x", new StringContent(secret.Reveal()));

        await act.Should().ThrowAsync<LeakedKeyEgressException>();
        upstream.Bodies.Should().Equal("warm-up");
    }

    [Fact]
    public async Task SendAsync_ChatRequestToTheEmulatorCarryingAManagedKey_NeverReachesIt()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        var own = emulator.OpenAI.AddProjectKey("app");
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => b.Services.AddHttpClient("chat", c => c.BaseAddress = emulator.OpenAI.BaseAddress).AddLeakEgressGuard());
        var (leakedRef, leaked) = await harness.RegisterAsync("other");
        var client = harness.Services.GetRequiredService<IHttpClientFactory>().CreateClient("chat");
        client.DefaultRequestHeaders.Authorization = new("Bearer", own.Secret);
        using (var clean = await client.PostAsJsonAsync("chat/completions", new { model = "gpt-4o-mini", messages = new[] { new { role = "user", content = "hello" } } }))
        {
            clean.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var seen = emulator.OpenAI.Requests.Count;
        var act = () => client.PostAsJsonAsync("chat/completions", new { model = "gpt-4o-mini", messages = new[] { new { role = "user", content = $"the build log says OPENAI_API_KEY={leaked.Reveal()}" } } });

        var thrown = (await act.Should().ThrowAsync<LeakedKeyEgressException>()).Which;
        thrown.Key.Should().Be(leakedRef.Reference);
        emulator.OpenAI.Requests.Should().HaveCount(seen, "the refused request never left the process");
        var audit = new List<AuditRecord>();
        await foreach (var record in harness.Shared.Audit.ReadAsync())
        {
            audit.Add(record);
        }

        audit.Should().ContainSingle(r => r.Event.Action == LeakAuditActions.EgressBlocked && r.Event.Target == leakedRef.Reference.ToString());
        string.Join('\n', emulator.OpenAI.Requests).Should().NotContain(leaked.Reveal());
    }

    private static RotationHarness Harness(RecordingHandler upstream) =>
        new(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => b.Services.AddHttpClient("chat").AddLeakEgressGuard().ConfigurePrimaryHttpMessageHandler(() => upstream));

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<string> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bodies.Add(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken));
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
