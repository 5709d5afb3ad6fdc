using IronCage.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Http.Tests;

public sealed class HandlerAuthTests
{
    [Theory]
    [InlineData("openai", "Authorization", "Bearer {0}")]
    [InlineData("anthropic", "x-api-key", "{0}")]
    [InlineData("azure-openai", "api-key", "{0}")]
    [InlineData("google-gemini", "x-goog-api-key", "{0}")]
    [InlineData("groq", "Authorization", "Bearer {0}")]
    public async Task Send_PutsTheKeyWhereTheProviderExpectsIt(string provider, string header, string format)
    {
        var reference = $"{provider}/prod";
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey(reference), primary));
        var providerId = ProviderId.Parse(provider);
        var secret = harness.NewSecret(providerId);
        await harness.AddKeyAsync(reference, secret);

        using var response = await harness.CreateClient("llm").GetAsync(new Uri("https://api.example.test/v1/models"));

        response.IsSuccessStatusCode.Should().BeTrue();
        var sent = harness.Provider.Sent.Single();
        sent.Header(header).Should().Be(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, secret));
        if (providerId == ProviderId.Anthropic)
        {
            sent.Header("anthropic-version").Should().Be("2023-06-01");
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public async Task Send_AnswerIn_TheRequestObjectNoLongerCarriesTheKeyAndUsageIsStillRead(bool captureUsage, bool handlerBetween)
    {
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(
            s,
            "llm",
            b =>
            {
                var client = b.AddIronCageKey("openai/prod", o => o.CaptureUsage = captureUsage);
                return handlerBetween ? client.AddHttpMessageHandler(() => new PassThrough()) : client;
            },
            primary));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        harness.Provider.Then(_ => ScriptedHandler.Json(200, """{"model":"gpt-4o-mini","usage":{"prompt_tokens":9,"completion_tokens":2}}"""));
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.example.test/v1/chat/completions") { Content = new StringContent("{}") };

        using (var response = await harness.CreateClient("llm").SendAsync(request))
        {
            await response.Content.ReadAsStringAsync();
        }

        harness.Provider.Sent.Single().Header("Authorization").Should().StartWith("Bearer sk-");
        request.Headers.Authorization.Should().BeNull("a caller that logs or re-sends the request must not find the key on it");
        ((IDictionary<string, object?>)request.Options).Should().BeEmpty("the resolved key (with its secret) must not stay on the request either");
        if (captureUsage)
        {
            harness.Usage.Samples.Should().ContainSingle().Which.InputTokens.Should().Be(9);
        }
        else
        {
            harness.Usage.Samples.Should().BeEmpty();
        }
    }

    [Fact]
    public async Task Send_CallerSetTheKey_SendsTheRequestAsBuilt()
    {
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.test/v1/models");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "callers-own");

        using var response = await harness.CreateClient("llm").SendAsync(request);

        harness.Provider.Sent.Single().Header("Authorization").Should().Be("Bearer callers-own");
    }

    [Fact]
    public async Task Send_CallerSetTheKeyButOverwriteIsOn_SendsTheManagedKey()
    {
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod", o => o.OverwriteCallerCredentials = true), primary));
        var secret = harness.NewSecret(ProviderId.OpenAI);
        await harness.AddKeyAsync("openai/prod", secret);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.test/v1/models");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "callers-own");

        using var response = await harness.CreateClient("llm").SendAsync(request);

        harness.Provider.Sent.Single().Header("Authorization").Should().Be($"Bearer {secret}");
    }

    [Fact]
    public async Task Send_AnthropicVersionSetByTheCaller_IsKept()
    {
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("anthropic/prod"), primary));
        await harness.AddKeyAsync("anthropic/prod", harness.NewSecret(ProviderId.Anthropic));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.test/v1/models");
        request.Headers.TryAddWithoutValidation("anthropic-version", "2024-10-22");

        using var response = await harness.CreateClient("llm").SendAsync(request);

        harness.Provider.Sent.Single().Header("anthropic-version").Should().Be("2024-10-22");
    }

    [Fact]
    public async Task Send_NoUsableKey_ThrowsNoUsableKeyBeforeAnythingIsSent()
    {
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));

        var act = () => harness.CreateClient("llm").GetAsync(new Uri("https://api.example.test/v1/models"));

        (await act.Should().ThrowAsync<NoUsableKeyException>()).Which.Skipped.Single().Reason.Should().Be(KeySkipReason.NotFound);
        harness.Provider.Sent.Should().BeEmpty();
    }

    [Fact]
    public void AddIronCageKey_NotAReference_ThrowsFormatExceptionWithTheShape()
    {
        var services = new ServiceCollection();

        var act = () => services.AddHttpClient("llm").AddIronCageKey("prod");

        act.Should().Throw<FormatException>().WithMessage("*provider/name*");
    }

    private sealed class PassThrough : DelegatingHandler
    {
    }
}
