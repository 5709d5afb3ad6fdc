using System.Net;
using System.Text;
using IronCage.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;

namespace IronCage.Http.Tests;

/// <summary>
/// IronCage with Microsoft.Extensions.Http.Resilience's standard handler: the documented order (the standard handler
/// first, so it is outside) and the other one both make a bounded number of requests for one logical call
/// (docs/runtime.md, "Retries and the standard resilience handler").
/// </summary>
public sealed class ResilienceOrderTests
{
    private const string RateLimited = """{"error":{"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"}}""";
    private static readonly Uri Chat = new("https://api.example.test/v1/chat/completions");

    [Fact]
    public async Task StandardHandlerBeforeIronCage_ProviderAnswers503EveryTime_MakesOnePlusMaxRetryAttemptsRequests()
    {
        using var harness = Harness(b => { b.AddStandardResilienceHandler(NoDelay); return b.AddIronCageKey("openai/prod"); });
        var secret = harness.NewSecret(ProviderId.OpenAI);
        await harness.AddKeyAsync("openai/prod", secret);
        harness.Provider.Fallback = _ => Task.FromResult(ScriptedHandler.Json(503, "{}"));

        using var response = await harness.CreateClient("llm").PostAsync(Chat, Json());

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        harness.Provider.Sent.Should().HaveCount(4, "one call and the standard handler's 3 retries; IronCage adds none");
        harness.Provider.Sent.Select(s => s.Header("Authorization")).Should().AllBe($"Bearer {secret}", "each retry went through IronCage and carries the current key");
        harness.Usage.Samples.Should().HaveCount(4).And.OnlyContain(s => s.IsError, "each attempt is recorded");
    }

    [Fact]
    public async Task StandardHandlerBeforeIronCage_429OnTheOnlyKey_SendsOnceAndSaysTheKeyIsCoolingDown()
    {
        using var harness = Harness(b => { b.AddStandardResilienceHandler(NoDelay); return b.AddIronCageKey("openai/prod"); });
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        harness.Provider.Fallback = _ => Task.FromResult(ScriptedHandler.Json(429, RateLimited));

        var act = () => harness.CreateClient("llm").PostAsync(Chat, Json());

        (await act.Should().ThrowAsync<NoUsableKeyException>()).Which.Skipped.Single().Reason.Should().Be(KeySkipReason.CoolingDown);
        harness.Provider.Sent.Should().HaveCount(1, "the standard handler's retry reached IronCage, which does not send a key that is cooling down");
    }

    [Fact]
    public async Task StandardHandlerBeforeIronCage_EveryKeyOfThePoolRateLimited_SendsEachKeyOnce()
    {
        using var harness = PoolHarness(b => { b.AddStandardResilienceHandler(NoDelay); return b.AddIronCageKeyPool("chat"); });
        await AddPoolKeysAsync(harness);
        harness.Provider.Fallback = _ => Task.FromResult(ScriptedHandler.Json(429, RateLimited));

        var act = () => harness.CreateClient("llm").PostAsync(Chat, Json());

        await act.Should().ThrowAsync<NoUsableKeyException>();
        harness.Provider.Sent.Select(s => s.Header("Authorization")).Should().OnlyHaveUniqueItems().And.HaveCount(2);
    }

    [Fact]
    public async Task StandardHandlerAfterIronCage_ProviderAnswers503EveryTime_IsBoundedLikeTheDocumentedOrder()
    {
        using var harness = Harness(b => { b.AddIronCageKey("openai/prod"); b.AddStandardResilienceHandler(NoDelay); return b; });
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        harness.Provider.Fallback = _ => Task.FromResult(ScriptedHandler.Json(503, "{}"));

        using var response = await harness.CreateClient("llm").PostAsync(Chat, Json());

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        harness.Provider.Sent.Should().HaveCount(4, "IronCage has no retry of its own to multiply the standard handler's");
        harness.Usage.Samples.Should().ContainSingle("inside IronCage, the standard handler's retries are one call to it");
    }

    [Fact]
    public async Task StandardHandlerAfterIronCage_EveryKeyOfThePoolRateLimited_IsBoundedByAttemptsTimesKeys()
    {
        using var harness = PoolHarness(b => { b.AddIronCageKeyPool("chat"); b.AddStandardResilienceHandler(NoDelay); return b; });
        var (a, b) = await AddPoolKeysAsync(harness);
        harness.Provider.Fallback = _ => Task.FromResult(ScriptedHandler.Json(429, RateLimited));

        var act = () => harness.CreateClient("llm").PostAsync(Chat, Json());

        await act.Should().ThrowAsync<NoUsableKeyException>();
        harness.Provider.Sent.Select(s => s.Header("Authorization")).Should().Equal(
            [.. Enumerable.Repeat($"Bearer {a}", 4), .. Enumerable.Repeat($"Bearer {b}", 4)],
            "the wrong order retries a rate-limited key before IronCage can fail over: (1 + MaxRetryAttempts) × keys, still bounded");
    }

    private static void NoDelay(HttpStandardResilienceOptions options)
    {
        options.Retry.Delay = TimeSpan.Zero;
        options.Retry.UseJitter = false;
    }

    private static StringContent Json() => new("""{"model":"gpt-4o","max_tokens":10}""", Encoding.UTF8, "application/json");

    private static HttpHarness Harness(Func<IHttpClientBuilder, IHttpClientBuilder> client)
        => new(services: (s, primary) => HttpHarness.Client(s, "llm", client, primary));

    private static HttpHarness PoolHarness(Func<IHttpClientBuilder, IHttpClientBuilder> client)
        => new(b => b.AddKeyPool("chat", PoolStrategy.Priority, "openai/a", "openai/b"), (s, primary) => HttpHarness.Client(s, "llm", client, primary));

    private static async Task<(string A, string B)> AddPoolKeysAsync(HttpHarness harness)
    {
        var a = harness.NewSecret(ProviderId.OpenAI);
        var b = harness.NewSecret(ProviderId.OpenAI);
        await harness.AddKeyAsync("openai/a", a);
        await harness.AddKeyAsync("openai/b", b);
        return (a, b);
    }
}
