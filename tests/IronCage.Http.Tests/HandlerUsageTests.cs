using System.Net;
using System.Text;
using IronCage.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Http.Tests;

public sealed class HandlerUsageTests
{
    public static TheoryData<string, string, string, string, long, long> Bodies => new()
    {
        { "openai/prod", "openai-chat-completion.json", "application/json", "gpt-4o-2024-08-06", 1117, 46 },
        { "openai/prod", "openai-chat-stream.txt", "text/event-stream", "gpt-4o-mini", 9, 12 },
        { "anthropic/prod", "anthropic-message.json", "application/json", "claude-sonnet-4-20250514", 2095 + 100 + 5, 503 },
        { "anthropic/prod", "anthropic-message-stream.txt", "text/event-stream", "claude-sonnet-4-20250514", 25, 15 },
        { "google-gemini/prod", "gemini-generate-content.json", "application/json", "gemini-2.5-flash", 8, 120 + 50 },
        { "google-gemini/prod", "gemini-stream.txt", "text/event-stream", "gemini-2.5-flash", 8, 40 },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Send_RecordsTheUsageTheProviderReported_AndTheCallerReadsTheSameBytes(string key, string file, string mediaType, string model, long input, long output)
    {
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey(key), primary));
        await harness.AddKeyAsync(key, harness.NewSecret(KeyReference.Parse(key).Provider));
        var body = await File.ReadAllBytesAsync(Path.Combine("TestData", file));
        harness.Provider.Then(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) { Headers = { ContentType = new(mediaType) } } });

        using var response = await harness.CreateClient("llm").PostAsync(new Uri("https://api.example.test/v1/chat"), new StringContent("{}", Encoding.UTF8, "application/json"));
        var read = await response.Content.ReadAsByteArrayAsync();

        read.Should().Equal(body);
        response.Content.Headers.ContentType!.MediaType.Should().Be(mediaType);
        var sample = harness.Usage.Samples.Should().ContainSingle().Subject;
        sample.Key.Should().Be(KeyReference.Parse(key));
        sample.Model.Should().Be(model);
        sample.InputTokens.Should().Be(input);
        sample.OutputTokens.Should().Be(output);
        sample.IsError.Should().BeFalse();
    }

    [Theory]
    [InlineData("text/event-stream")]
    [InlineData("Text/Event-Stream; charset=utf-8")]
    [InlineData(" text/event-stream ;charset=UTF-8")]
    public async Task Send_EventStreamTypeAsATransportGivesIt_Raw_IsReadAsEvents(string contentType)
    {
        // A transport's headers are raw strings: the stream is recognised without parsing them, parameters and case included.
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        var body = await File.ReadAllBytesAsync(Path.Combine("TestData", "openai-chat-stream.txt"));
        harness.Provider.Then(_ =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        });

        using var response = await harness.CreateClient("llm").PostAsync(new Uri("https://api.example.test/v1/chat"), new StringContent("{}", Encoding.UTF8, "application/json"));
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(body);

        response.Content.Headers.ContentType!.MediaType.Should().BeEquivalentTo("text/event-stream");
        var sample = harness.Usage.Samples.Should().ContainSingle().Subject;
        (sample.InputTokens, sample.OutputTokens).Should().Be((9L, 12L));
    }

    [Fact]
    public async Task Send_EventStream_ReachesTheCallerEventByEventWithoutWaitingForTheEnd()
    {
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        var pipe = new System.IO.Pipelines.Pipe();
        harness.Provider.Then(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(pipe.Reader.AsStream()) { Headers = { ContentType = new("text/event-stream") } } });

        using var response = await harness.CreateClient("llm").SendAsync(new HttpRequestMessage(HttpMethod.Post, "https://api.example.test/v1/chat/completions"), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        await pipe.Writer.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}],\"usage\":null}\n\n"u8.ToArray());
        (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10))).Should().Contain("Hel", "the first event is delivered while the stream is still open");
        harness.Usage.Samples.Should().BeEmpty("usage is recorded at the end of the stream");

        await pipe.Writer.WriteAsync("data: {\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\n\ndata: [DONE]\n\n"u8.ToArray());
        await pipe.Writer.CompleteAsync();
        (await reader.ReadToEndAsync()).Should().Contain("[DONE]");

        var sample = harness.Usage.Samples.Should().ContainSingle().Subject;
        (sample.InputTokens, sample.OutputTokens, sample.Model).Should().Be((3L, 4L, "gpt-4o-mini"));
    }

    [Fact]
    public async Task Send_ResponseDisposedUnread_StillRecordsTheCall()
    {
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        harness.Provider.Then(200, """{"model":"gpt-4o","usage":{"prompt_tokens":1,"completion_tokens":2}}""");

        var response = await harness.CreateClient("llm").SendAsync(new HttpRequestMessage(HttpMethod.Post, "https://api.example.test/v1/chat/completions"), HttpCompletionOption.ResponseHeadersRead);
        response.Dispose();

        harness.Usage.Samples.Should().ContainSingle().Which.Key.Should().Be(KeyReference.Parse("openai/prod"));
    }

    [Fact]
    public async Task Send_ProviderError_IsRecordedAsAnErrorWithItsKind()
    {
        using var harness = new HttpHarness(services: (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        harness.Provider.Then(400, """{"error":{"message":"bad","type":"invalid_request_error","param":null,"code":null}}""");

        using var response = await harness.CreateClient("llm").PostAsync(new Uri("https://api.example.test/v1/chat/completions"), new StringContent("""{"model":"gpt-4o"}""", Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("invalid_request_error", "the caller can still read the error body");
        var sample = harness.Usage.Samples.Should().ContainSingle().Subject;
        sample.IsError.Should().BeTrue();
        sample.Error.Should().Be(ProviderErrorKind.BadRequest);
    }
}
