using System.Text;
using BenchmarkDotNet.Attributes;
using IronCage.Encryption;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Benchmarks;

/// <summary>
/// What the IronCage handler adds to a request (goal: ≤ 2 µs and ≤ 512 B beyond the bare pipeline): the same request
/// through the same IHttpClientFactory pipeline over a stub handler, with and without <c>AddIronCageKey</c>, the
/// response body read to the end so usage capture runs.
/// </summary>
[MemoryDiagnoser]
public class HandlerBenchmarks : IDisposable
{
    private static readonly Uri Chat = new("https://api.example.test/v1/chat/completions");
    private static readonly byte[] RequestBody = Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");
    private static readonly byte[] ResponseBody = Encoding.UTF8.GetBytes("""{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}""");

    // A made-up value of an OpenAI key's shape: what the static-key baseline puts in its Authorization header.
    private static readonly string StaticKey = "sk-proj-" + new string('a', 74) + "T3BlbkFJ" + new string('b', 74);

    private ServiceProvider _services = null!;
    private HttpMessageInvoker _bare = null!;
    private HttpMessageInvoker _ironCage = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IUsageRecorder, DiscardingRecorder>();
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddKeyResolver();
        services.AddHttpClient("bare").ConfigurePrimaryHttpMessageHandler(() => new StubHandler());
        services.AddHttpClient("ironcage").AddIronCageKey("openai/prod").ConfigurePrimaryHttpMessageHandler(() => new StubHandler());
        _services = services.BuildServiceProvider();
        BenchmarkKeys.StoreAsync(_services, KeyReference.Parse("openai/prod")).GetAwaiter().GetResult();
        var factory = _services.GetRequiredService<IHttpMessageHandlerFactory>();
        _bare = new HttpMessageInvoker(factory.CreateHandler("bare"), disposeHandler: false);
        _ironCage = new HttpMessageInvoker(factory.CreateHandler("ironcage"), disposeHandler: false);
        SendAsync(_ironCage).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _bare?.Dispose();
        _ironCage?.Dispose();
        _services?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public Task<int> BarePipeline() => SendAsync(_bare);

    // The bare pipeline with the key set by the caller, as an application without IronCage sends it: the fair
    // baseline for "what IronCage adds", since every real request carries its key.
    [Benchmark]
    public Task<int> BarePipelineWithStaticKey() => SendAsync(_bare, StaticKey);

    [Benchmark]
    public Task<int> WithIronCageKey() => SendAsync(_ironCage);

    private static async Task<int> SendAsync(HttpMessageInvoker invoker, string? staticKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Chat) { Content = new ByteArrayContent(RequestBody) };
        if (staticKey is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", staticKey);
        }

        using var response = await invoker.SendAsync(request, CancellationToken.None).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[512];
            var total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return total;
        }
    }

    private sealed class StubHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // As a transport fills them: header values are raw strings, parsed only when someone reads them.
            var content = new ByteArrayContent(ResponseBody);
            content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = content });
        }
    }

    private sealed class DiscardingRecorder : IUsageRecorder
    {
        public void Record(in UsageSample sample)
        {
        }

        public Task FlushAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
