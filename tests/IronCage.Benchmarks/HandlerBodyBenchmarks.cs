using System.Text;
using BenchmarkDotNet.Attributes;
using IronCage.Encryption;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Benchmarks;

/// <summary>
/// A 64 KB request body with usage tracking on and a key without a cost limit: no budget needs an estimate, so the
/// IronCage handlers should add about what they add to a small request (before the runtime split, the body was
/// buffered, copied and parsed: about 15 µs and 132 KB per request).
/// </summary>
[MemoryDiagnoser]
public class HandlerBodyBenchmarks : IDisposable
{
    private static readonly Uri Chat = new("https://api.example.test/v1/chat/completions");
    private static readonly byte[] RequestBody = LargeBody(64 * 1024);
    private static readonly byte[] ResponseBody = Encoding.UTF8.GetBytes("""{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}""");

    private ServiceProvider _services = null!;
    private HttpMessageInvoker _bare = null!;
    private HttpMessageInvoker _ironCage = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddKeyResolver().AddUsageTracking();
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
    public Task<int> BarePipeline64K() => SendAsync(_bare);

    [Benchmark]
    public Task<int> WithUsageTrackingNoCostLimit64K() => SendAsync(_ironCage);

    private static byte[] LargeBody(int size)
    {
        var text = new StringBuilder("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":" """.TrimEnd());
        while (text.Length < size - 4)
        {
            text.Append("lorem ipsum ");
        }

        text.Append("\"}]}");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static async Task<int> SendAsync(HttpMessageInvoker invoker)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Chat) { Content = new ByteArrayContent(RequestBody) };
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
            => Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(ResponseBody) { Headers = { ContentType = new("application/json") } } });
    }
}
