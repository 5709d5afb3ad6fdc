using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IronCage.Http.Tests.Support;

/// <summary>A real Kestrel origin on 127.0.0.1 and a free port that records every request (headers and query) and answers as told.</summary>
internal sealed class LoopbackOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<SeenRequest> _seen = new();

    private LoopbackOrigin(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets or sets how the origin answers; the default answers 200 with <c>{"data":[]}</c>.</summary>
    public Func<HttpContext, Task> Respond { get; set; } = static context =>
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""{"data":[]}""");
    };

    public IReadOnlyList<SeenRequest> Seen => [.. _seen];

    public static async Task<LoopbackOrigin> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxResponseBufferSize = null);
        var app = builder.Build();
        var origin = new LoopbackOrigin(app);
        app.Urls.Add("http://127.0.0.1:0");
        app.Run(context =>
        {
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            origin._seen.Enqueue(new SeenRequest(context.Request.Method, context.Request.Path.Value ?? string.Empty, context.Request.QueryString.Value ?? string.Empty, headers));
            return origin.Respond(context);
        });
        await app.StartAsync();
        origin.BaseAddress = new Uri(app.Urls.Single());
        return origin;
    }

    public Uri At(string pathAndQuery) => new(BaseAddress, pathAndQuery);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A request as the origin saw it.</summary>
    internal sealed record SeenRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers)
    {
        /// <summary>Tells whether any header value or the query holds <paramref name="secret"/> (escaped or not).</summary>
        public bool Carries(string secret)
            => Query.Contains(secret, StringComparison.Ordinal)
                || Query.Contains(Uri.EscapeDataString(secret), StringComparison.Ordinal)
                || Headers.Values.Any(v => v.Contains(secret, StringComparison.Ordinal));
    }
}
