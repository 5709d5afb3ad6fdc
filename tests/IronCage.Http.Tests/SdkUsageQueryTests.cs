using System.ClientModel.Primitives;
using Anthropic;
using IronCage.Http.Tests.Support;
using IronCage.Testing.Emulator;
using IronCage.Usage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using OpenAI;
using OpenAI.Chat;

namespace IronCage.Http.Tests;

/// <summary>
/// The official SDKs' documented paths with the real usage tracking of <c>AddUsageTracking()</c>: one long-lived client
/// each, across a rotation, and what they used is what <see cref="IUsageQuery"/> answers.
/// </summary>
public sealed class SdkUsageQueryTests : IAsyncLifetime
{
    private static readonly Uri OpenAIEndpoint = new("https://api.openai.example.test/v1");
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task OpenAIChatClient_LongLivedAcrossARotation_ItsUsageIsInTheUsageQuery()
    {
        using var harness = OpenAIHarness();
        var key = KeyReference.Parse("openai/prod");
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        var chat = new ChatClient("gpt-4o", IronCageSdk.CreateCredential(), OpenAIOptions(harness));

        await chat.CompleteChatAsync("hello");
        var rotated = harness.NewSecret(ProviderId.OpenAI);
        await harness.RotateAsync("openai/prod", rotated);
        await chat.CompleteChatAsync("hello again");

        harness.Provider.Sent.Last().Header("Authorization").Should().Be($"Bearer {rotated}");
        var usage = (await harness.Services.GetRequiredService<IUsageQuery>().GetCurrentUsageAsync(key)).Day;
        usage.Requests.Should().Be(2);
        usage.InputTokens.Should().Be(2 * 1117);
        usage.OutputTokens.Should().Be(2 * 46);
        usage.Cost.Should().Be(2 * ((1117 * 2.50m) + (46 * 10m)) / 1_000_000m, "gpt-4o-2024-08-06 is priced as gpt-4o");
        harness.Logs.AllText.Should().NotContain(t => harness.Secrets.Any(secret => t.Contains(secret, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ExtensionsAIChatClient_LongLivedAcrossARotation_ItsUsageIsInTheUsageQuery()
    {
        using var harness = OpenAIHarness();
        var key = KeyReference.Parse("openai/prod");
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        IChatClient client = new ChatClient("gpt-4o", IronCageSdk.CreateCredential(), OpenAIOptions(harness)).AsIChatClient();

        var first = await client.GetResponseAsync("hello");
        await harness.RotateAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        var second = await client.GetResponseAsync("hello again");

        (first.Usage!.InputTokenCount + second.Usage!.InputTokenCount).Should().Be(2 * 1117);
        harness.Provider.Sent.Select(s => s.Header("Authorization")).Distinct().Should().HaveCount(2, "the second call went out with the rotated key");
        var usage = (await harness.Services.GetRequiredService<IUsageQuery>().GetCurrentUsageAsync(key)).Day;
        usage.Requests.Should().Be(2);
        usage.InputTokens.Should().Be(2 * 1117, "what the SDK reported is what IronCage counted");
        usage.OutputTokens.Should().Be(2 * 46);
    }

    [Fact]
    public async Task AnthropicClient_LongLivedAcrossARotation_ItsUsageIsInTheUsageQuery()
    {
        using var harness = new HttpHarness(
            configure: b => b.AddUsageTracking(),
            services: (s, _) =>
            {
                UseRealRecorder(s);
                s.AddHttpClient("anthropic-sdk").AddIronCageKey("anthropic/prod");
            });
        var key = KeyReference.Parse("anthropic/prod");
        var old = _emulator.Anthropic.AddApiKey("old");
        await harness.AddKeyAsync("anthropic/prod", old.Secret);
        using var client = new AnthropicClient
        {
            HttpClient = harness.Services.GetRequiredService<IHttpClientFactory>().CreateClient("anthropic-sdk"),
            BaseUrl = _emulator.Anthropic.BaseAddress.ToString().TrimEnd('/'),
            ApiKey = IronCageSdk.PlaceholderKey,
            MaxRetries = 0,
        };

        await client.Messages.Create(AnthropicSdkTests.Hello());
        var rotated = _emulator.Anthropic.AddApiKey("new");
        await harness.RotateAsync("anthropic/prod", rotated.Secret);
        await AnthropicSdkTests.DeactivateAsync(_emulator, old.Id);
        await client.Messages.Create(AnthropicSdkTests.Hello());

        _emulator.Anthropic.IsValid(old.Secret).Should().BeFalse("the second call can only have succeeded with the rotated key");
        var query = harness.Services.GetRequiredService<IUsageQuery>();
        var usage = (await query.GetCurrentUsageAsync(key)).Day;
        usage.Requests.Should().Be(2);
        usage.InputTokens.Should().Be(2 * EmulatorConstants.InputTokens);
        usage.OutputTokens.Should().Be(2 * EmulatorConstants.OutputTokens);
        var now = harness.Clock.GetCurrentInstant();
        var byModel = await query.GetHistoryAsync(key, UsageWindow.Day, now - Duration.FromDays(1), now + Duration.FromDays(1), byModel: true);
        byModel.Should().ContainSingle().Which.Should().Match<UsageAggregate>(a => a.Model == "claude-sonnet-4-5" && a.Requests == 2);
        harness.Logs.AllText.Should().NotContain(t => t.Contains(old.Secret, StringComparison.Ordinal) || t.Contains(rotated.Secret, StringComparison.Ordinal));
    }

    private static HttpHarness OpenAIHarness()
    {
        var harness = new HttpHarness(
            configure: b => b.AddUsageTracking(),
            services: (s, primary) =>
            {
                UseRealRecorder(s);
                HttpHarness.Client(s, "sdk", b => b.AddIronCageKey("openai/prod"), primary);
            });
        var body = File.ReadAllText(Path.Combine("TestData", "openai-chat-completion.json"));
        harness.Provider.Fallback = _ => Task.FromResult(ScriptedHandler.Json(200, body));
        return harness;
    }

    /// <summary>The harness records samples itself; hand the handler the real recorder of usage tracking instead.</summary>
    private static void UseRealRecorder(IServiceCollection services)
    {
        services.RemoveAll<IUsageRecorder>();
        services.AddSingleton(sp => (IUsageRecorder)sp.GetRequiredService<IUsageGate>());
    }

    private static OpenAIClientOptions OpenAIOptions(HttpHarness harness) => new()
    {
        Endpoint = OpenAIEndpoint,
        Transport = harness.Services.GetRequiredService<IHttpClientFactory>().CreateIronCageTransport("sdk"),
        RetryPolicy = new ClientRetryPolicy(0),
    };
}
