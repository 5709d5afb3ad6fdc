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
}
