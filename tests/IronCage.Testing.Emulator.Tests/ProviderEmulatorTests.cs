using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace IronCage.Testing.Emulator.Tests;

/// <summary>The emulator's inference endpoints, key checks and fault switches, over real HTTP on 127.0.0.1.</summary>
public sealed class ProviderEmulatorTests : IAsyncLifetime, IDisposable
{
    private readonly HttpClient _http = new();
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public void StartAsync_ListensOnLoopback()
    {
        _emulator.BaseAddress.Host.Should().Be("127.0.0.1");
        _emulator.OpenAI.BaseAddress.AbsoluteUri.Should().EndWith("/openai/v1/");
    }

    [Fact]
    public async Task OpenAIChatCompletions_WithASeededKey_AnswersWithTheFixedUsage()
    {
        var key = _emulator.OpenAI.AddProjectKey("host");

        using var response = await SendAsync(_emulator.OpenAI.BaseAddress, "chat/completions", key.Secret, """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var usage = body.RootElement.GetProperty("usage");
        usage.GetProperty("prompt_tokens").GetInt32().Should().Be(EmulatorConstants.InputTokens);
        usage.GetProperty("completion_tokens").GetInt32().Should().Be(EmulatorConstants.OutputTokens);
        usage.GetProperty("total_tokens").GetInt32().Should().Be(EmulatorConstants.TotalTokens);
        response.Headers.GetValues("x-ratelimit-remaining-requests").Should().ContainSingle();
    }

    [Fact]
    public async Task OpenAIChatCompletions_Streamed_EndsWithAUsageChunkAndDone()
    {
        var key = _emulator.OpenAI.AddProjectKey("host");

        using var response = await SendAsync(_emulator.OpenAI.BaseAddress, "chat/completions", key.Secret, """{"model":"gpt-4o-mini","stream":true,"messages":[]}""");

        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        events[^1].Should().Be("data: [DONE]");
        using var last = JsonDocument.Parse(events[^2]["data: ".Length..]);
        last.RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt32().Should().Be(EmulatorConstants.TotalTokens);
        last.RootElement.GetProperty("choices").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task OpenAIChatCompletions_WithAnUnknownKey_Is401InOpenAIsShape()
    {
        using var response = await SendAsync(_emulator.OpenAI.BaseAddress, "chat/completions", "sk-proj-unknown", "{}");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("error").GetProperty("code").GetString().Should().Be("invalid_api_key");
    }

    [Fact]
    public async Task AnthropicMessages_WithASeededKey_AnswersWithTheFixedUsage()
    {
        var key = _emulator.Anthropic.AddApiKey("host");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_emulator.Anthropic.BaseAddress, "v1/messages")) { Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[]}""", Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", key.Secret);
        request.Headers.Add("anthropic-version", "2023-06-01");

        using var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("usage").GetProperty("input_tokens").GetInt32().Should().Be(EmulatorConstants.InputTokens);
        body.RootElement.GetProperty("usage").GetProperty("output_tokens").GetInt32().Should().Be(EmulatorConstants.OutputTokens);
    }

    [Fact]
    public async Task AnthropicCalls_WithoutVersionHeader_Are400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_emulator.Anthropic.BaseAddress, "v1/models"));
        request.Headers.Add("x-api-key", _emulator.Anthropic.AddApiKey().Secret);

        using var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task OpenRouterChatCompletions_AddToTheKeysUsage()
    {
        var key = _emulator.OpenRouter.AddKey("host");

        using (await SendAsync(_emulator.OpenRouter.BaseAddress, "chat/completions", key.Secret, """{"model":"openai/gpt-4o-mini","messages":[]}"""))
        {
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_emulator.OpenRouter.BaseAddress, "key"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Secret);
        using var response = await _http.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("data").GetProperty("usage").GetDecimal().Should().Be(EmulatorConstants.OpenRouterCostPerCompletion);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(429)]
    [InlineData(500)]
    public async Task FailNext_AnswersWithTheStatusOnceThenRecovers(int status)
    {
        var key = _emulator.OpenAI.AddProjectKey("host");
        _emulator.OpenAI.FailNext(status, retryAfter: TimeSpan.FromSeconds(2));

        using (var failed = await GetModelsAsync(key.Secret))
        {
            ((int)failed.StatusCode).Should().Be(status);
            failed.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(2));
        }

        using var recovered = await GetModelsAsync(key.Secret);
        recovered.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task HangingFault_NeverAnswers()
    {
        var key = _emulator.OpenAI.AddProjectKey("host");
        _emulator.OpenAI.InjectFault(new EmulatedFault { Hang = true });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var act = async () => await _http.SendAsync(Get(new Uri(_emulator.OpenAI.BaseAddress, "models"), key.Secret), timeout.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void EmulatedKey_ToString_HidesTheSecret()
    {
        var key = _emulator.OpenAI.AddProjectKey("host");

        key.ToString().Should().NotContain(key.Secret);
    }

    private static HttpRequestMessage Get(Uri uri, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    private async Task<HttpResponseMessage> GetModelsAsync(string key)
    {
        using var request = Get(new Uri(_emulator.OpenAI.BaseAddress, "models"), key);
        return await _http.SendAsync(request);
    }

    private async Task<HttpResponseMessage> SendAsync(Uri baseAddress, string path, string key, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, path)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await _http.SendAsync(request);
    }
}
