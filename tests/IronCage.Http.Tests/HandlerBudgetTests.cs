using System.Net;
using System.Text;
using IronCage.Http.Tests.Support;
using IronCage.Usage;
using IronCage.Usage.Pricing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Http.Tests;

/// <summary>Budgets through the handler: each call reserves its worst case before it is sent and settles to its real cost.</summary>
public sealed class HandlerBudgetTests
{
    private static readonly Uri Chat = new("https://api.example.test/v1/chat/completions");

    [Fact]
    public async Task Send_64ConcurrentCallsAgainstABudgetForTen_AdmitsTenAndSettlesExactly()
    {
        // Priced at $1 per output token and nothing for input, a call capped at 10 output tokens reserves $10: a $100
        // daily budget admits ten of them at once. The provider holds every admitted call until all 64 have been
        // decided, so no settlement can free budget early.
        var admitted = 0;
        var decided = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var harness = new HttpHarness(
            b => b.AddUsageTracking(o => o.Prices.Add(new ModelPrice { Provider = ProviderId.OpenAI, Model = "gpt-4o-mini", InputPerMillion = 0m, OutputPerMillion = 1_000_000m, EffectiveFrom = Instant.FromUtc(2020, 1, 1, 0, 0) })),
            (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));
        var limits = new UsageLimits { Limits = [new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 100m)] };
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI), limits: limits);
        harness.Provider.Fallback = async _ =>
        {
            Interlocked.Increment(ref admitted);
            if (Interlocked.Increment(ref decided) == 64)
            {
                release.TrySetResult();
            }

            await release.Task;
            return ScriptedHandler.Json(200, """{"model":"gpt-4o-mini","usage":{"prompt_tokens":5,"completion_tokens":3}}""");
        };
        var client = harness.CreateClient("llm");

        var calls = Enumerable.Range(0, 64).Select(async _ =>
        {
            try
            {
                using var response = await client.PostAsync(Chat, new StringContent("""{"model":"gpt-4o-mini","max_tokens":10}""", Encoding.UTF8, "application/json"));
                await response.Content.ReadAsStringAsync();
                return response.StatusCode;
            }
            catch (NoUsableKeyException exception)
            {
                exception.Skipped.Single().Reason.Should().Be(KeySkipReason.LimitReached);
                if (Interlocked.Increment(ref decided) == 64)
                {
                    release.TrySetResult();
                }

                return HttpStatusCode.PaymentRequired;
            }
        }).ToList();
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));

        admitted.Should().Be(10);
        results.Count(r => r == HttpStatusCode.OK).Should().Be(10);
        results.Count(r => r == HttpStatusCode.PaymentRequired).Should().Be(54);

        // Settling happens as each body is read; wait for the ten settlements to reach the store.
        var store = harness.Services.GetRequiredService<IUsageStore>();
        var window = UsageWindow.Day.StartOf(harness.Clock.GetCurrentInstant());
        var committed = -1m;
        for (var i = 0; i < 500 && committed != 30m; i++)
        {
            committed = await store.GetCommittedAsync("openai/prod:Day", window);
            await Task.Delay(10);
        }

        committed.Should().Be(30m, "ten calls of 3 output tokens at $1 each, settled from $10 reserved each");
    }

    [Fact]
    public async Task Send_ResponseDisposedUnread_SettlesAtTheReservationNotZero()
    {
        using var harness = BudgetedHarness(out var store);
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI), limits: DailyLimit(100m));
        harness.Provider.Then(200, """{"model":"gpt-4o-mini","usage":{"prompt_tokens":1,"completion_tokens":1}}""");
        var body = """{"model":"gpt-4o-mini","max_tokens":10}""";

        using (var response = await harness.CreateClient("llm").SendAsync(new HttpRequestMessage(HttpMethod.Post, Chat) { Content = new StringContent(body, Encoding.UTF8, "application/json") }, HttpCompletionOption.ResponseHeadersRead))
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // $1 per output token, $0.001 per input token: the worst case is 10 output tokens and one token per body byte.
        var reserved = 10m + (Encoding.UTF8.GetByteCount(body) * 0.001m);
        (await CommittedAsync(harness, store, c => c == reserved)).Should().Be(reserved, "an unread answer may have been billed in full");
    }

    [Fact]
    public async Task Send_StreamedBodyOfUnknownLengthWithoutEstimate_IsRefusedBeforeItIsSentOrReserved()
    {
        using var harness = BudgetedHarness(out var store);
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI), limits: DailyLimit(100m));
        using var request = new HttpRequestMessage(HttpMethod.Post, Chat) { Content = new StreamContent(new UnsizedStream("""{"model":"gpt-4o-mini"}"""u8.ToArray())) };

        var refused = await FluentActions.Awaiting(() => harness.CreateClient("llm").SendAsync(request)).Should().ThrowAsync<CostEstimateRequiredException>();

        refused.Which.Key.Should().Be(KeyReference.Parse("openai/prod"));
        refused.Which.Message.Should().Contain("IronCageRequestOptions.CostEstimate");
        harness.Provider.Sent.Should().BeEmpty();
        store.Open.Should().BeEmpty();
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":[{"type":"text","text":"what is this?"},{"type":"image_url","image_url":{"url":"https://example.test/huge.png"}}]}]}""")]
    [InlineData("""{"model":"gpt-4o-mini","input":[{"role":"user","content":[{"type":"input_image","image_url":"https://example.test/huge.png"}]}]}""")]
    [InlineData("""{"model":"gpt-4o-mini","input":[{"role":"user","content":[{"type":"input_file","file_id":"file-abc123"}]}]}""")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://example.test/huge.png"}}]}]}""")]
    [InlineData("""{"contents":[{"parts":[{"fileData":{"mimeType":"video/mp4","fileUri":"https://generativelanguage.googleapis.com/v1beta/files/abc"}}]}]}""")]
    public async Task Send_BodyThatRefersToInputItDoesNotCarry_IsRefusedUntilAnExplicitEstimateIsGiven(string body)
    {
        using var harness = BudgetedHarness(out var store);
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI), limits: DailyLimit(100m));

        var refused = await FluentActions.Awaiting(() => harness.CreateClient("llm").PostAsync(Chat, new StringContent(body, Encoding.UTF8, "application/json"))).Should().ThrowAsync<CostEstimateRequiredException>();

        refused.Which.Message.Should().Contain("does not carry").And.Contain("IronCageRequestOptions.CostEstimate");
        harness.Provider.Sent.Should().BeEmpty();
        store.Open.Should().BeEmpty();

        harness.Provider.Then(200, """{"model":"gpt-4o-mini","usage":{"prompt_tokens":1000,"completion_tokens":2}}""");
        using var estimated = new HttpRequestMessage(HttpMethod.Post, Chat) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        estimated.Options.Set(IronCageRequestOptions.CostEstimate, new CostEstimate("gpt-4o-mini", 2_000, 20));
        using var response = await harness.CreateClient("llm").SendAsync(estimated);
        await response.Content.ReadAsStringAsync();
        harness.Provider.Sent.Should().ContainSingle();
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o-mini","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]}""")]
    [InlineData("""{"model":"gpt-4o-mini","max_tokens":5,"messages":[{"role":"user","content":"summarise https://example.test/page and its url"}]}""")]
    [InlineData("""{"model":"gpt-4o-mini","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"fetch","parameters":{"type":"object","properties":{"url":{"type":"string","description":"https://example.test"}}}}}]}""")]
    public async Task Send_BodyThatCarriesAllItsInput_IsReservedFromItsSize(string body)
    {
        using var harness = BudgetedHarness(out _);
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI), limits: DailyLimit(100m));
        harness.Provider.Then(200, """{"model":"gpt-4o-mini","usage":{"prompt_tokens":10,"completion_tokens":2}}""");

        using var response = await harness.CreateClient("llm").PostAsync(Chat, new StringContent(body, Encoding.UTF8, "application/json"));
        await response.Content.ReadAsStringAsync();

        harness.Provider.Sent.Should().ContainSingle("inline data, a URL in text and a schema property named url carry or point at nothing outside the body");
    }

    [Fact]
    public async Task Send_StreamedBodyWithAnExplicitEstimate_ReservesTheEstimateAndSettlesToTheUsage()
    {
        using var harness = BudgetedHarness(out var store);
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI), limits: DailyLimit(100m));
        harness.Provider.Then(200, """{"model":"gpt-4o-mini","usage":{"prompt_tokens":1000,"completion_tokens":2}}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, Chat) { Content = new StreamContent(new UnsizedStream("""{"model":"gpt-4o-mini"}"""u8.ToArray())) };
        request.Options.Set(IronCageRequestOptions.CostEstimate, new CostEstimate("gpt-4o-mini", 1_000, 20));

        using var response = await harness.CreateClient("llm").SendAsync(request);
        await response.Content.ReadAsStringAsync();

        (await CommittedAsync(harness, store, c => c == 3m)).Should().Be(3m, "1,000 input tokens at $0.001 and 2 output tokens at $1");
    }

    [Fact]
    public async Task Send_CancelledBeforeTheAnswer_SettlesAtTheReservation()
    {
        using var harness = BudgetedHarness(out var store);
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI), limits: DailyLimit(100m));
        using var cancel = new CancellationTokenSource();
        harness.Provider.Fallback = async _ =>
        {
            await cancel.CancelAsync();
            throw new TaskCanceledException();
        };
        var body = """{"model":"gpt-4o-mini","max_tokens":5}""";

        await FluentActions.Awaiting(() => harness.CreateClient("llm").PostAsync(Chat, new StringContent(body, Encoding.UTF8, "application/json"), cancel.Token)).Should().ThrowAsync<OperationCanceledException>();

        var reserved = 5m + (Encoding.UTF8.GetByteCount(body) * 0.001m);
        (await CommittedAsync(harness, store, c => c == reserved)).Should().Be(reserved, "a call cancelled after it was sent may have been billed");
        store.Open.Should().BeEmpty();
    }

    [Fact]
    public async Task Send_ConnectionRefused_SettlesAtZero()
    {
        using var harness = BudgetedHarness(out var store);
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI), limits: DailyLimit(100m));
        harness.Provider.Fallback = _ => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused");

        await FluentActions.Awaiting(() => harness.CreateClient("llm").PostAsync(Chat, new StringContent("""{"model":"gpt-4o-mini","max_tokens":5}""", Encoding.UTF8, "application/json"))).Should().ThrowAsync<HttpRequestException>();

        store.Open.Should().BeEmpty();
        (await CommittedAsync(harness, store, c => c == 0m)).Should().Be(0m, "a call that never left cannot have been billed");
    }

    private static HttpHarness BudgetedHarness(out ReservationTrackingStore store)
    {
        var tracking = store = new ReservationTrackingStore();
        return new HttpHarness(
            b => b.AddUsageTracking(o => o.Prices.Add(new ModelPrice { Provider = ProviderId.OpenAI, Model = "gpt-4o-mini", InputPerMillion = 1_000m, OutputPerMillion = 1_000_000m, EffectiveFrom = Instant.FromUtc(2020, 1, 1, 0, 0) })),
            (s, primary) =>
            {
                s.AddSingleton<IUsageStore>(tracking);
                HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary);
            });
    }

    private static UsageLimits DailyLimit(decimal amount) => new() { Limits = [new UsageLimit(UsageMetric.Cost, UsageWindow.Day, amount)] };

    // Settling follows the read as a store write; wait for it rather than for a time.
    private static async Task<decimal> CommittedAsync(HttpHarness harness, ReservationTrackingStore store, Func<decimal, bool> settled)
    {
        var window = UsageWindow.Day.StartOf(harness.Clock.GetCurrentInstant());
        var committed = await store.GetCommittedAsync("openai/prod:Day", window);
        for (var i = 0; i < 1000 && !settled(committed); i++)
        {
            await Task.Delay(10);
            committed = await store.GetCommittedAsync("openai/prod:Day", window);
        }

        return committed;
    }

    private sealed class UnsizedStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
