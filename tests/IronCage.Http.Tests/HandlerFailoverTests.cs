using System.Net;
using System.Text;
using IronCage.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Http.Tests;

public sealed class HandlerFailoverTests
{
    private const string InvalidKey = """{"error":{"message":"Incorrect API key provided: sk-proj-****abcd.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""";
    private const string RateLimited = """{"error":{"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"}}""";
    private const string Quota = """{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}""";

    private static readonly Uri Chat = new("https://api.example.test/v1/chat/completions");

    [Fact]
    public async Task Send_401AndTheKeyRotatedElsewhere_RefreshesAndRetriesOnceWithTheNewKey()
    {
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary), storeAnnouncesChanges: false);
        var old = harness.NewSecret(ProviderId.OpenAI);
        await harness.AddKeyAsync("openai/prod", old);
        await harness.Resolver.ResolveAsync(KeyReference.Parse("openai/prod"));
        var rotated = harness.NewSecret(ProviderId.OpenAI);
        await harness.RotateAsync("openai/prod", rotated);
        harness.Provider.Then(401, InvalidKey).Then(200, """{"usage":{"prompt_tokens":1,"completion_tokens":1}}""");

        using var response = await harness.CreateClient("llm").PostAsync(Chat, Json());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        harness.Provider.Sent.Select(s => s.Header("Authorization")).Should().Equal($"Bearer {old}", $"Bearer {rotated}");
        harness.Provider.Sent.Select(s => s.Body).Should().AllBe("""{"model":"gpt-4o","max_tokens":10}""", "the body is sent again unchanged");
    }

    [Fact]
    public async Task Send_401WithNoNewerKey_DisablesTheKeyAndReturnsTheProvidersAnswer()
    {
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        harness.Provider.Then(401, InvalidKey);
        var client = harness.CreateClient("llm");

        using var response = await client.PostAsync(Chat, Json());
        var next = () => client.PostAsync(Chat, Json());

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        harness.Provider.Sent.Should().HaveCount(1, "the same key is not sent twice");
        var skip = (await next.Should().ThrowAsync<NoUsableKeyException>()).Which.Skipped.Single();
        skip.Reason.Should().Be(KeySkipReason.Disabled);
        skip.Detail.Should().Contain("invalid").And.Contain("invalid_api_key");
    }

    [Fact]
    public async Task Send_DisabledKeyRotated_IsUsableAgainWithTheNewVersion()
    {
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        harness.Provider.Then(401, InvalidKey);
        var client = harness.CreateClient("llm");
        (await client.PostAsync(Chat, Json())).Dispose();

        var fresh = harness.NewSecret(ProviderId.OpenAI);
        await harness.RotateAsync("openai/prod", fresh);
        using var response = await client.PostAsync(Chat, Json());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        harness.Provider.Sent.Last().Header("Authorization").Should().Be($"Bearer {fresh}");
    }

    [Fact]
    public async Task Send_429WithRetryAfter_MovesToTheNextKeyAndCoolsTheFirstDownForThatLong()
    {
        using var harness = PoolHarness();
        var (a, b) = await AddPoolKeysAsync(harness);
        harness.Provider.Then(429, RateLimited, ("retry-after", "20"));
        var client = harness.CreateClient("llm");

        using var response = await client.PostAsync(Chat, Json());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        harness.Provider.Sent.Select(s => s.Header("Authorization")).Should().Equal($"Bearer {a}", $"Bearer {b}");

        (await client.PostAsync(Chat, Json())).Dispose();
        harness.Provider.Sent.Last().Header("Authorization").Should().Be($"Bearer {b}", "the first key is cooling down");

        harness.Clock.AdvanceSeconds(20);
        (await client.PostAsync(Chat, Json())).Dispose();
        harness.Provider.Sent.Last().Header("Authorization").Should().Be($"Bearer {a}", "the cool-down is over and the pool prefers its first key");
    }

    [Fact]
    public async Task Send_QuotaExhausted_DisablesTheKeyUntilTheQuotaCoolDownAndFailsOver()
    {
        using var harness = PoolHarness(o => o.QuotaCoolDown = TimeSpan.FromHours(2));
        var (a, b) = await AddPoolKeysAsync(harness);
        harness.Provider.Then(429, Quota);
        var client = harness.CreateClient("llm");

        using var response = await client.PostAsync(Chat, Json());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        harness.Provider.Sent.Last().Header("Authorization").Should().Be($"Bearer {b}");
        harness.Clock.AdvanceMinutes(119);
        (await client.PostAsync(Chat, Json())).Dispose();
        harness.Provider.Sent.Last().Header("Authorization").Should().Be($"Bearer {b}");
        harness.Clock.AdvanceMinutes(1);
        (await client.PostAsync(Chat, Json())).Dispose();
        harness.Provider.Sent.Last().Header("Authorization").Should().Be($"Bearer {a}");
    }

    [Fact]
    public async Task Send_EveryKeyOfThePoolRefuses_ThrowsNoUsableKeyNamingEachReason()
    {
        using var harness = PoolHarness();
        await AddPoolKeysAsync(harness);
        harness.Provider.Then(429, RateLimited, ("retry-after", "5")).Then(429, Quota);

        var act = () => harness.CreateClient("llm").PostAsync(Chat, Json());

        var thrown = (await act.Should().ThrowAsync<NoUsableKeyException>()).Which;
        thrown.Target.Should().Be("chat");
        thrown.Skipped.Select(s => (s.Key.Name, s.Reason)).Should().Equal(("a", KeySkipReason.CoolingDown), ("b", KeySkipReason.QuotaExhausted));
        thrown.Skipped[0].Until.Should().Be(harness.Clock.GetCurrentInstant() + Duration.FromSeconds(5));
    }

    [Fact]
    public async Task Send_TransientFailure_IsReturnedAsIsWithoutAnInnerRetry()
    {
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        harness.Provider.Then(503, """{"error":{"message":"overloaded","type":"server_error","param":null,"code":null}}""");
        var client = harness.CreateClient("llm");

        using var response = await client.PostAsync(Chat, Json());
        using var next = await client.PostAsync(Chat, Json());

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "retrying is the resilience handler's job, placed before AddIronCageKey");
        next.StatusCode.Should().Be(HttpStatusCode.OK, "a transient failure says nothing about the key, which stays usable");
        harness.Provider.Sent.Should().HaveCount(2);
    }

    [Fact]
    public async Task Send_ConnectionFailure_PropagatesAfterOneAttempt()
    {
        using var harness = PoolHarness();
        await AddPoolKeysAsync(harness);
        harness.Provider.Then(_ => throw new HttpRequestException("connection reset"));

        var act = () => harness.CreateClient("llm").PostAsync(Chat, Json());

        await act.Should().ThrowAsync<HttpRequestException>();
        harness.Provider.Sent.Should().HaveCount(1, "a pool does not fail over on a dropped connection: that is a retry, and retries are the resilience handler's");
    }

    [Fact]
    public async Task Send_429AfterTheRequestWasRedirectedToAnotherOrigin_IsNotResentWithTheNextKey()
    {
        using var harness = PoolHarness();
        await AddPoolKeysAsync(harness);
        harness.Provider.Then(request =>
        {
            // What SocketsHttpHandler does when it follows a redirect: the same request now points elsewhere.
            request.RequestUri = new Uri("https://cdn.elsewhere.test/v1/chat/completions");
            return ScriptedHandler.Json(429, RateLimited);
        });

        using var response = await harness.CreateClient("llm").PostAsync(Chat, Json());

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        harness.Provider.Sent.Should().HaveCount(1, "the pool's next key is never sent to an origin the request was not addressed to");
    }

    [Fact]
    public async Task Send_NonReplayableBody_IsNeitherRetriedNorFailedOver()
    {
        using var harness = PoolHarness();
        await AddPoolKeysAsync(harness);
        harness.Provider.Then(503, "{}").Then(429, RateLimited);
        var client = harness.CreateClient("llm");

        using var first = await client.PostAsync(Chat, new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{}"))));
        using var second = await client.PostAsync(Chat, new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{}"))));

        first.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        second.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        harness.Provider.Sent.Should().HaveCount(2, "each stream body was sent once");
    }

    [Fact]
    public async Task Send_OverTheClientRequestLimit_IsRejectedBeforeSending()
    {
        using var harness = new HttpHarness(
            b => b.AddClientRateLimit("openai/prod", new ClientRateLimit { Requests = 2, Window = TimeSpan.FromMinutes(1) }),
            (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        var client = harness.CreateClient("llm");
        (await client.PostAsync(Chat, Json())).Dispose();
        (await client.PostAsync(Chat, Json())).Dispose();

        var third = () => client.PostAsync(Chat, Json());

        var skip = (await third.Should().ThrowAsync<NoUsableKeyException>()).Which.Skipped.Single();
        skip.Reason.Should().Be(KeySkipReason.RateLimited);
        skip.Detail.Should().Contain("2 requests");
        harness.Provider.Sent.Should().HaveCount(2);
    }

    [Fact]
    public async Task Send_OverTheClientTokenLimit_MovesToTheNextKeyOfThePool()
    {
        using var harness = new HttpHarness(
            b => b.AddKeyPool("chat", PoolStrategy.Priority, "openai/a", "openai/b").AddClientRateLimit("openai/a", new ClientRateLimit { Tokens = 100 }),
            (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKeyPool("chat"), primary));
        var (a, b) = await AddPoolKeysAsync(harness);
        var client = harness.CreateClient("llm");

        (await client.PostAsync(Chat, new StringContent("""{"model":"gpt-4o","max_tokens":60}""", Encoding.UTF8, "application/json"))).Dispose();
        (await client.PostAsync(Chat, new StringContent("""{"model":"gpt-4o","max_tokens":60}""", Encoding.UTF8, "application/json"))).Dispose();

        harness.Provider.Sent.Select(s => s.Header("Authorization")).Should().Equal($"Bearer {a}", $"Bearer {b}");
    }

    [Fact]
    public async Task Send_WholeFlow_NoSecretInAnyLogLine()
    {
        using var harness = PoolHarness();
        await AddPoolKeysAsync(harness);
        harness.Provider
            .Then(_ => ScriptedHandler.Json(401, InvalidKey.Replace("sk-proj-****abcd", harness.Secrets[0], StringComparison.Ordinal)))
            .Then(429, RateLimited)
            .Then(503, "{}");
        var client = harness.CreateClient("llm");

        var act = () => client.PostAsync(Chat, Json());
        await act.Should().ThrowAsync<NoUsableKeyException>();

        var text = string.Join("\n", harness.Logs.AllText);
        text.Should().NotBeEmpty();
        foreach (var secret in harness.Secrets)
        {
            text.Should().NotContain(secret);
        }
    }

    private static StringContent Json() => new("""{"model":"gpt-4o","max_tokens":10}""", Encoding.UTF8, "application/json");

    private static HttpHarness PoolHarness(Action<IronCageKeyHandlerOptions>? configure = null)
        => new(b => b.AddKeyPool("chat", PoolStrategy.Priority, "openai/a", "openai/b"), (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKeyPool("chat", configure), primary));

    private static async Task<(string A, string B)> AddPoolKeysAsync(HttpHarness harness)
    {
        var a = harness.NewSecret(ProviderId.OpenAI);
        var b = harness.NewSecret(ProviderId.OpenAI);
        await harness.AddKeyAsync("openai/a", a);
        await harness.AddKeyAsync("openai/b", b);
        return (a, b);
    }
}
