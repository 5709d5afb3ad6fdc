using System.Net;
using System.Text;
using IronCage.Http.Tests.Support;
using IronCage.Usage;
using IronCage.Usage.Pricing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Http.Tests;

/// <summary>
/// A hard cost limit under 200 concurrent calls through the handler against a real loopback provider that bills every
/// prompt byte as a token and bills calls the caller walked away from.
/// </summary>
public sealed class BudgetUnderLoadTests : IAsyncLifetime
{
    private const decimal Limit = 10m;
    private const decimal InputPerMillion = 20m;
    private const decimal OutputPerMillion = 1_000m;
    private const int MaxTokens = 60;

    private readonly AnswerObserver.Calls _answered = new();
    private BillingProvider _provider = null!;

    private enum Outcome
    {
        Answered,
        Cancelled,
        Refused,
        EstimateRequired,
    }

    public async Task InitializeAsync() => _provider = await BillingProvider.StartAsync();

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task HardLimit_200ConcurrentCallsOfEveryKind_NeverCommitsMoreThanTheLimitAndSettlesEveryHoldAtWhatTheProviderBilled()
    {
        var store = new ReservationTrackingStore();
        using var harness = new HttpHarness(
            b => b.AddUsageTracking(o => o.Prices.Add(new ModelPrice { Provider = ProviderId.OpenAI, Model = "gpt-4o-mini", InputPerMillion = InputPerMillion, OutputPerMillion = OutputPerMillion, EffectiveFrom = Instant.FromUtc(2020, 1, 1, 0, 0) })),
            (s, _) =>
            {
                s.AddSingleton<IUsageStore>(store);
                s.AddHttpClient("llm").AddIronCageKey("openai/prod").AddHttpMessageHandler(() => new AnswerObserver(_answered));
            });
        var limits = new UsageLimits { Limits = [new UsageLimit(UsageMetric.Cost, UsageWindow.Day, Limit)] };
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI), limits: limits);
        var client = harness.CreateClient("llm");

        // Each call's worst case is about $0.10 (a ~2 KB prompt at one token per byte, 60 output tokens), so the 150
        // calls that may be billed ask for about $15 against $10: the limit must refuse some.
        var kinds = Enumerable.Repeat("json", 40)
            .Concat(Enumerable.Repeat("sse", 20))
            .Concat(Enumerable.Repeat("sse-abandoned", 30))
            .Concat(Enumerable.Repeat("cancelled", 40))
            .Concat(Enumerable.Repeat("error-cancelled", 30))
            .Concat(Enumerable.Repeat("streamed", 20))
            .Concat(Enumerable.Repeat("streamed-estimated", 20))
            .ToList();
        kinds.Should().HaveCount(200);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = kinds.Select((kind, i) => Task.Run(async () =>
        {
            await start.Task;
            return await CallAsync(client, kind, i);
        })).ToList();
        start.SetResult();
        var outcomes = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromMinutes(2));

        outcomes.Count(o => o == Outcome.Refused).Should().BePositive("the calls ask for more than the limit");
        outcomes.Count(o => o == Outcome.EstimateRequired).Should().Be(20, "a streamed body of unknown length without an estimate is refused");
        _provider.Received.Should().Be(outcomes.Count(o => o is Outcome.Answered or Outcome.Cancelled), "a refused call is never sent");

        // Settlements are store writes that follow the last read; every reservation must be settled in the end.
        for (var i = 0; i < 3000 && store.Open.Count != 0; i++)
        {
            await Task.Delay(10);
        }

        store.Open.Should().BeEmpty("every path out of the handler settles its hold");
        var committed = await store.GetCommittedAsync("openai/prod:Day", UsageWindow.Day.StartOf(harness.Clock.GetCurrentInstant()));
        var (input, output) = _provider.BilledTokens;
        var billed = (input * InputPerMillion / 1_000_000m) + (output * OutputPerMillion / 1_000_000m);
        committed.Should().BeLessThanOrEqualTo(Limit, "usage within each call's reservation leaves no overshoot (docs/usage.md)");
        committed.Should().Be(billed, "unread, abandoned and cancelled calls settle at their reservation, which is what this provider billed; error answers settle at 0");
    }

    private async Task<Outcome> CallAsync(HttpClient client, string kind, int index)
    {
        var call = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = Body(kind.StartsWith("sse", StringComparison.Ordinal));
        var mode = kind switch
        {
            "sse" => "sse",
            "sse-abandoned" => "sse-hang",
            "cancelled" => "hang",
            "error-cancelled" => "error-hang",
            _ => "json",
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, _provider.Chat);
        request.Headers.Add("x-mode", mode);
        request.Headers.Add("x-call", call);
        if (kind.StartsWith("streamed", StringComparison.Ordinal))
        {
            request.Content = new StreamContent(new UnsizedStream(body));
            request.Content.Headers.ContentType = new("application/json");
            if (kind == "streamed-estimated")
            {
                request.Options.Set(IronCageRequestOptions.CostEstimate, new CostEstimate("gpt-4o-mini", body.Length, MaxTokens));
            }
        }
        else
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new("application/json");
        }

        using var cancel = new CancellationTokenSource();
        try
        {
            switch (kind)
            {
                case "cancelled" or "error-cancelled":
                    // A hanging answer is cancelled once the provider has it (and has billed it); an error answer once
                    // its headers are back in the handler, so the cancel lands while its body is read.
                    var sending = client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancel.Token);
                    var reached = kind == "cancelled" ? _provider.Arrived(call) : _answered.Of(call);
                    if (await Task.WhenAny(sending, reached) != sending)
                    {
                        await cancel.CancelAsync();
                    }

                    using (await sending)
                    {
                        throw new InvalidOperationException($"Call {call} ({kind}) was answered although it was cancelled.");
                    }

                case "sse-abandoned":
                    using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
                    {
                        response.StatusCode.Should().Be(HttpStatusCode.OK);
                        var stream = await response.Content.ReadAsStreamAsync();
                        var seen = new StringBuilder();
                        var buffer = new byte[256];
                        while (!seen.ToString().Contains("\n\n", StringComparison.Ordinal))
                        {
                            var read = await stream.ReadAsync(buffer);
                            read.Should().BePositive();
                            seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
                        }

                        // Walks away mid-stream: disposing the response abandons it.
                        return Outcome.Answered;
                    }

                default:
                    using (var response = await client.SendAsync(request))
                    {
                        response.StatusCode.Should().Be(HttpStatusCode.OK);
                        (await response.Content.ReadAsStringAsync()).Should().Contain("usage");
                        return Outcome.Answered;
                    }
            }
        }
        catch (NoUsableKeyException exception)
        {
            exception.Skipped.Single().Reason.Should().Be(KeySkipReason.LimitReached);
            return Outcome.Refused;
        }
        catch (CostEstimateRequiredException exception)
        {
            kind.Should().Be("streamed");
            exception.Message.Should().Contain("IronCageRequestOptions.CostEstimate");
            return Outcome.EstimateRequired;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return Outcome.Cancelled;
        }
    }

    private static byte[] Body(bool stream)
    {
        // Short words make a provider count far more tokens than a quarter of the bytes.
        var prompt = string.Concat(Enumerable.Repeat("a b ", 480));
        var json = $$"""{"model":"gpt-4o-mini","max_tokens":{{MaxTokens}},"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{prompt}}"}]}""";
        return Encoding.UTF8.GetBytes(json);
    }

    /// <summary>Sits under the IronCage handlers and tells when a call's response headers came back.</summary>
    private sealed class AnswerObserver(AnswerObserver.Calls calls) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            calls.Answered(request.Headers.GetValues("x-call").Single());
            return response;
        }

        public sealed class Calls
        {
            private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _calls = new();

            public Task Of(string call) => Get(call).Task;

            public void Answered(string call) => Get(call).TrySetResult();

            private TaskCompletionSource Get(string call) => _calls.GetOrAdd(call, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
    }

    /// <summary>A request body whose length is not known before it is sent (no Content-Length).</summary>
    private sealed class UnsizedStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
