using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronCage.Http.Tests.Support;

/// <summary>
/// A chat-completions provider on loopback Kestrel that bills like a hostile but honest provider: every prompt byte
/// is a token (the most a byte-level tokenizer can count) and a call it started generating is billed in full even when
/// the caller goes away. What it billed is summed in <see cref="BilledTokens"/>; the test header <c>x-mode</c> picks
/// the answer: <c>json</c>, <c>sse</c> (ends with a usage event), <c>sse-hang</c> (one event, then holds the stream
/// open until the caller leaves), <c>hang</c> (holds the answer until the caller leaves), <c>error-hang</c> (a 500
/// whose body stalls after its first byte). <c>x-call</c> names a call, so a test can wait until it reached here.
/// </summary>
internal sealed class BillingProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _arrived = new();
    private long _billedInput;
    private long _billedOutput;
    private int _received;

    private BillingProvider(WebApplication app) => _app = app;

    public Uri Chat { get; private set; } = null!;

    public (long Input, long Output) BilledTokens => (Interlocked.Read(ref _billedInput), Interlocked.Read(ref _billedOutput));

    public int Received => Volatile.Read(ref _received);

    public static async Task<BillingProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var provider = new BillingProvider(app);
        app.Run(provider.AnswerAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        provider.Chat = new Uri(address.TrimEnd('/') + "/v1/chat/completions");
        return provider;
    }

    /// <summary>Completes when the call named <paramref name="call"/> has reached the provider (and, for an answer that holds, is being answered).</summary>
    public Task Arrived(string call) => _arrived.GetOrAdd(call, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref _received);
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var bytes = body.Length;
        var maxTokens = 0L;
        using (var json = JsonDocument.Parse(body.ToArray()))
        {
            if (json.RootElement.TryGetProperty("max_tokens", out var max))
            {
                maxTokens = max.GetInt64();
            }
        }

        var mode = context.Request.Headers["x-mode"].ToString();
        var call = context.Request.Headers["x-call"].ToString();
        var aborted = context.RequestAborted;
        switch (mode)
        {
            case "json":
                Bill(bytes, maxTokens);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(Usage(bytes, maxTokens));
                break;
            case "sse":
                var spoken = maxTokens / 2;
                Bill(bytes, spoken);
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n");
                await context.Response.WriteAsync("data: " + Usage(bytes, spoken) + "\n\ndata: [DONE]\n\n");
                break;
            case "sse-hang":
                // The provider generates the whole answer whether or not the caller stays to read it.
                Bill(bytes, maxTokens);
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n");
                await context.Response.Body.FlushAsync();
                Arrive(call);
                await Hold(aborted);
                break;
            case "hang":
                Bill(bytes, maxTokens);
                Arrive(call);
                await Hold(aborted);
                break;
            case "error-hang":
                context.Response.StatusCode = 500;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{");
                await context.Response.Body.FlushAsync();
                Arrive(call);
                await Hold(aborted);
                break;
            default:
                context.Response.StatusCode = 400;
                break;
        }
    }

    private static string Usage(long prompt, long completion)
        => $$$"""{"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":{{{prompt}}},"completion_tokens":{{{completion}}},"total_tokens":{{{prompt + completion}}}}}""";

    private static async Task Hold(CancellationToken aborted)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, aborted);
        }
        catch (OperationCanceledException)
        {
            // The caller left.
        }
    }

    private void Bill(long input, long output)
    {
        Interlocked.Add(ref _billedInput, input);
        Interlocked.Add(ref _billedOutput, output);
    }

    private void Arrive(string call)
    {
        if (call.Length != 0)
        {
            _arrived.GetOrAdd(call, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }
}
