using System.Net;
using System.Text;
using IronCage.Http.Tests.Support;
using IronCage.Internal;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Http.Tests;

/// <summary>The usage handler touches a request body only when a budget needs its worst case, and then without a per-request copy of it.</summary>
public sealed class HandlerBodyTests
{
    private static readonly Uri Chat = new("https://api.example.test/v1/chat/completions");

    [Fact]
    public async Task Send_UsageTrackingOnAndNoCostLimit_NeverReadsTheBody()
    {
        using var harness = new HttpHarness(b => b.AddUsageTracking(), (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        harness.Provider.Then(200, """{"model":"gpt-4o-mini","usage":{"prompt_tokens":3,"completion_tokens":4}}""");
        var content = new CountingContent(Body(64 * 1024, "gpt-4o-mini"));

        using var response = await harness.CreateClient("llm").PostAsync(Chat, content);
        await response.Content.ReadAsStringAsync();

        content.Reads.Should().Be(1, "only the provider read the body; IronCage neither buffered nor parsed it");
        harness.Usage.Samples.Should().ContainSingle().Which.InputTokens.Should().Be(3);
    }

    [Fact]
    public async Task Send_KeyWithACostLimit_ReadsTheModelFromABodyOverTheLargeObjectThresholdOnce()
    {
        using var harness = new HttpHarness(b => b.AddUsageTracking(), (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));
        var limits = new UsageLimits { Limits = [new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 100m)] };
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI), limits: limits);
        var content = new CountingContent(Body(200 * 1024, "model-without-a-price"));

        var act = () => harness.CreateClient("llm").PostAsync(Chat, content);

        (await act.Should().ThrowAsync<NoUsableKeyException>()).Which.Skipped.Single().Detail.Should().Contain("model-without-a-price", "the budget priced the model named at the end of a 200 KB body");
        content.Reads.Should().Be(1, "the estimate read the body once, and nothing was sent");
        harness.Provider.Sent.Should().BeEmpty();
    }

    [Fact]
    public async Task ReadAsync_200KBody_ReadsItWithoutALargeObjectHeapCopy()
    {
        var body = Body(200 * 1024, "gpt-4o-mini");
        using var request = new HttpRequestMessage(HttpMethod.Post, Chat) { Content = new ByteArrayContent(body) };
        await RequestFacts.ReadAsync(request, 4096, IronCageHttpConstants.DefaultMaxUsageBodyBytes, CancellationToken.None);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var facts = await RequestFacts.ReadAsync(request, 4096, IronCageHttpConstants.DefaultMaxUsageBodyBytes, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        (facts.Model, facts.InputTokens, facts.MaxOutputTokens).Should().Be(("gpt-4o-mini", (body.Length + 3) / 4, 50L));
        allocated.Should().BeLessThan(16 * 1024, "the body is copied into a pooled buffer, not into a new array per request");
    }

    [Fact]
    public async Task ReadAsync_BodyOverTheCap_EstimatesFromItsLengthWithoutKeepingIt()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Chat) { Content = new StreamContent(new MemoryStream(Body(8 * 1024, "gpt-4o-mini"))) };
        request.Content.Headers.ContentLength = 8 * 1024;
        using var buffered = new HttpRequestMessage(HttpMethod.Post, Chat) { Content = new ByteArrayContent(Body(8 * 1024, "gpt-4o-mini")) };

        var stream = await RequestFacts.ReadAsync(request, 4096, 4 * 1024, CancellationToken.None);
        var capped = await RequestFacts.ReadAsync(buffered, 4096, 4 * 1024, CancellationToken.None);

        stream.Should().Be(new RequestFacts(null, 2048, 4096, 8 * 1024), "a stream body is never read: its declared length is the estimate");
        capped.Should().Be(new RequestFacts(null, 2048, 4096, 8 * 1024), "a body over the cap is counted, not kept");
    }

    private static byte[] Body(int size, string model)
    {
        var text = new StringBuilder("""{"messages":[{"role":"user","content":" """.TrimEnd());
        while (text.Length < size - 100)
        {
            text.Append("lorem ipsum ");
        }

        text.Append("\"}],\"max_tokens\":50,\"model\":\"").Append(model).Append("\"}");
        while (Encoding.UTF8.GetByteCount(text.ToString()) < size)
        {
            text.Insert(text.Length - 1, ' ');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>A request body that counts how often it is read (serialized or opened as a stream). Every asynchronous serialization of a derived ByteArrayContent ends in the two-argument overload, so counting there counts each once.</summary>
    private sealed class CountingContent(byte[] body) : ByteArrayContent(body)
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            base.SerializeToStream(stream, context, cancellationToken);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            Interlocked.Increment(ref _reads);
            return base.SerializeToStreamAsync(stream, context);
        }

        protected override Stream CreateContentReadStream(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            return base.CreateContentReadStream(cancellationToken);
        }

        protected override Task<Stream> CreateContentReadStreamAsync()
        {
            Interlocked.Increment(ref _reads);
            return base.CreateContentReadStreamAsync();
        }
    }
}
