using System.ClientModel;
using System.ClientModel.Primitives;
using IronCage.Http.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace IronCage.Http.Tests;

public sealed class SdkTransportTests
{
    private static readonly Uri Endpoint = new("https://api.openai.example.test/v1");

    [Fact]
    public async Task OpenAIChatClient_ThroughAnIronCageClient_SendsTheManagedKeyRecordsUsageAndFollowsARotation()
    {
        using var harness = NewHarness(b => b.AddIronCageKey("openai/prod"));
        var old = harness.NewSecret(ProviderId.OpenAI);
        await harness.AddKeyAsync("openai/prod", old);
        var chat = new ChatClient("gpt-4o", IronCageSdk.CreateCredential(), Options(harness));

        await chat.CompleteChatAsync("hello");
        var rotated = harness.NewSecret(ProviderId.OpenAI);
        await harness.RotateAsync("openai/prod", rotated);
        ChatCompletion answer = await chat.CompleteChatAsync("hello again");

        answer.Content[0].Text.Should().Be("The image shows a wooden boardwalk.");
        harness.Provider.Sent.Select(s => s.Header("Authorization")).Should().Equal($"Bearer {old}", $"Bearer {rotated}");
        harness.Provider.Sent.Should().OnlyContain(s => !s.Headers.Any(h => h.Value.Contains(IronCageSdk.PlaceholderKey, StringComparison.Ordinal)), "the placeholder never goes out");
        harness.Usage.Samples.Select(s => (s.InputTokens, s.OutputTokens)).Should().Equal((1117L, 46L), (1117L, 46L));
        harness.Usage.Samples.Select(s => s.Model).Should().OnlyContain(m => m == "gpt-4o-2024-08-06");
    }

    [Fact]
    public async Task ExtensionsAIChatClient_OverTheOpenAISdk_RecordsUsageAndFailsOverInAPool()
    {
        using var harness = NewHarness(b => b.AddIronCageKeyPool("chat"), builder => builder.AddKeyPool("chat", PoolStrategy.Priority, "openai/a", "openai/b"));
        var first = harness.NewSecret(ProviderId.OpenAI);
        var second = harness.NewSecret(ProviderId.OpenAI);
        await harness.AddKeyAsync("openai/a", first);
        await harness.AddKeyAsync("openai/b", second);
        harness.Provider.Then(_ => ScriptedHandler.Json(429, """{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""", ("retry-after", "30")));
        var options = Options(harness);
        options.RetryPolicy = new ClientRetryPolicy(0);
        IChatClient client = new ChatClient("gpt-4o", IronCageSdk.CreateCredential(), options).AsIChatClient();

        var response = await client.GetResponseAsync("hello");

        response.Text.Should().Be("The image shows a wooden boardwalk.");
        harness.Provider.Sent.Select(s => s.Header("Authorization")).Should().Equal($"Bearer {first}", $"Bearer {second}");
        harness.Usage.Samples.Should().Contain(s => s.Key == KeyReference.Parse("openai/b") && s.InputTokens == 1117);
    }

    [Fact]
    public async Task OpenAIChatClient_WithACredentialOfItsOwn_IsSentAsBuilt()
    {
        using var harness = NewHarness(b => b.AddIronCageKey("openai/prod"));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        var chat = new ChatClient("gpt-4o", new ApiKeyCredential("sk-callers-own"), Options(harness));

        await chat.CompleteChatAsync("hello");

        harness.Provider.Sent.Single().Header("Authorization").Should().Be("Bearer sk-callers-own");
    }

    [Fact]
    public async Task AnthropicStyleHeader_ThePlaceholderIsReplacedAndAPlaceholderBearerDropped()
    {
        using var harness = NewHarness(b => b.AddIronCageKey("anthropic/prod"));
        var secret = harness.NewSecret(ProviderId.Anthropic);
        await harness.AddKeyAsync("anthropic/prod", secret);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.anthropic.example.test/v1/models");
        request.Headers.TryAddWithoutValidation("x-api-key", IronCageSdk.PlaceholderKey);
        request.Headers.Authorization = new("Bearer", IronCageSdk.PlaceholderKey);

        using var response = await harness.Services.GetRequiredService<IHttpClientFactory>().CreateClient("sdk").SendAsync(request);

        var sent = harness.Provider.Sent.Single();
        sent.Header("x-api-key").Should().Be(secret);
        sent.Header("Authorization").Should().BeNull();
    }

    [Fact]
    public void CreateIronCageTransport_BadArguments_Throw()
    {
        var factory = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();

        ((Action)(() => IronCageSdk.CreateIronCageTransport(null!, "sdk"))).Should().Throw<ArgumentNullException>();
        ((Action)(() => factory.CreateIronCageTransport(" "))).Should().Throw<ArgumentException>();
    }

    private static HttpHarness NewHarness(Func<IHttpClientBuilder, IHttpClientBuilder> addIronCage, Action<IIronCageBuilder>? configure = null)
    {
        var harness = new HttpHarness(configure, (s, primary) => HttpHarness.Client(s, "sdk", addIronCage, primary));
        var body = File.ReadAllText(Path.Combine("TestData", "openai-chat-completion.json"));
        harness.Provider.Fallback = _ => Task.FromResult(ScriptedHandler.Json(200, body));
        return harness;
    }

    private static OpenAIClientOptions Options(HttpHarness harness)
        => new() { Endpoint = Endpoint, Transport = harness.Services.GetRequiredService<IHttpClientFactory>().CreateIronCageTransport("sdk") };
}
