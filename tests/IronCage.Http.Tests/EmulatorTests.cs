using System.Net;
using System.Text;
using IronCage.Http.Tests.Support;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Http.Tests;

/// <summary>The handler against the loopback provider emulator: real Kestrel, real HTTP, keys that are really valid or not.</summary>
public sealed class EmulatorTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task OpenAIChat_RecordsTheEmulatorsUsage_ForJsonAndStream()
    {
        using var harness = new HttpHarness(services: (s, _) => s.AddHttpClient("openai").AddIronCageKey("openai/prod"));
        var seeded = _emulator.OpenAI.AddProjectKey();
        await harness.AddKeyAsync("openai/prod", seeded.Secret);
        var client = harness.CreateClient("openai");
        var chat = new Uri(_emulator.OpenAI.BaseAddress, "chat/completions");

        using var json = await client.PostAsync(chat, Body("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""));
        (await json.Content.ReadAsStringAsync()).Should().Contain("\"usage\"");
        using var stream = await client.PostAsync(chat, Body("""{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"""));
        (await stream.Content.ReadAsStringAsync()).Should().Contain("[DONE]");

        json.StatusCode.Should().Be(HttpStatusCode.OK);
        harness.Usage.Samples.Select(s => (s.InputTokens, s.OutputTokens)).Should().Equal(
            ((long)EmulatorConstants.InputTokens, (long)EmulatorConstants.OutputTokens),
            ((long)EmulatorConstants.InputTokens, (long)EmulatorConstants.OutputTokens));
    }

    [Fact]
    public async Task AnthropicMessages_SendsXApiKeyAndVersion_AndRecordsUsage()
    {
        using var harness = new HttpHarness(services: (s, _) => s.AddHttpClient("anthropic").AddIronCageKey("anthropic/prod"));
        var seeded = _emulator.Anthropic.AddApiKey();
        await harness.AddKeyAsync("anthropic/prod", seeded.Secret);

        using var response = await harness.CreateClient("anthropic").PostAsync(
            new Uri(_emulator.Anthropic.BaseAddress, "v1/messages"),
            Body("""{"model":"claude-sonnet-4-20250514","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}"""));
        await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK, "the emulator accepts only a live key with anthropic-version");
        harness.Usage.Samples.Should().ContainSingle().Which.OutputTokens.Should().Be(EmulatorConstants.OutputTokens);
    }

    [Fact]
    public async Task Pool_RateLimitedThenRevokedKey_FailsOverToTheNextKey()
    {
        using var harness = new HttpHarness(
            b => b.AddKeyPool("chat", PoolStrategy.Priority, "openai/a", "openai/b", "openai/c"),
            (s, _) => s.AddHttpClient("openai").AddIronCageKeyPool("chat"));
        var a = _emulator.OpenAI.AddProjectKey("a");
        var b = _emulator.OpenAI.AddProjectKey("b");
        var c = _emulator.OpenAI.AddProjectKey("c");
        await harness.AddKeyAsync("openai/a", a.Secret);
        await harness.AddKeyAsync("openai/b", b.Secret + "-revoked");
        await harness.AddKeyAsync("openai/c", c.Secret);
        _emulator.OpenAI.FailNext(429, retryAfter: TimeSpan.FromSeconds(30), pathContains: "chat/completions");

        using var response = await harness.CreateClient("openai").PostAsync(new Uri(_emulator.OpenAI.BaseAddress, "chat/completions"), Body("""{"model":"gpt-4o-mini","messages":[]}"""));

        response.StatusCode.Should().Be(HttpStatusCode.OK, "a was rate limited, b is not a live key, c answers");
        var skipped = harness.Logs.Entries.Where(e => e.EventId.Id == 3011).Select(e => e.Message).ToList();
        skipped.Should().HaveCount(2);
        skipped[0].Should().Contain("openai/a").And.Contain("RateLimited");
        skipped[1].Should().Contain("openai/b").And.Contain("InvalidKey");
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");
}
