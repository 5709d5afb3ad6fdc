using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Notifications.Tests;

/// <summary>
/// A real Kestrel listener on 127.0.0.1 and a free port that records every request. With a secret it verifies
/// IronCage's signature the way a real receiver would and answers 401 to anything that does not verify.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private int _attempts;

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>Gets or sets the secret deliveries are verified with; null accepts anything (Slack).</summary>
    public string? Secret { get; set; }

    /// <summary>Gets or sets the receiver's clock, for the staleness check.</summary>
    public Func<Instant> Now { get; set; } = () => SystemClock.Instance.GetCurrentInstant();

    /// <summary>Gets or sets how stale a timestamp may be.</summary>
    public Duration Tolerance { get; set; } = NotificationConstants.DefaultSignatureTolerance;

    /// <summary>Gets or sets how to answer attempt n (1-based) of a verified request; the default answers 200.</summary>
    public Func<int, HttpContext, Task>? Respond { get; set; }

    public Uri BaseAddress { get; private set; } = null!;

    public Uri Url => new(BaseAddress, "/hooks/ironcage");

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    public static async Task<WebhookReceiver> StartAsync(string? secret = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app) { Secret = secret };
        app.Urls.Add("http://127.0.0.1:0");
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Urls.Single());
        return receiver;
    }

    public Uri At(string path) => new(BaseAddress, path);

    /// <summary>Waits until at least <paramref name="count"/> requests were handled (a request the client gave up on ends a moment later).</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> WaitForRequestsAsync(int count)
    {
        for (var i = 0; i < 100 && _requests.Count < count; i++)
        {
            await Task.Delay(20);
        }

        return Requests;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var attempt = Interlocked.Increment(ref _attempts);
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        bool? verified = Secret is null
            ? null
            : WebhookSignature.Verify(Secret, context.Request.Headers[NotificationConstants.TimestampHeader], body, context.Request.Headers[NotificationConstants.SignatureHeader], Now(), Tolerance);
        var receivedAt = DateTimeOffset.UtcNow;
        try
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            if (verified == false)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            }
            else if (Respond is { } respond)
            {
                await respond(attempt, context);
            }
        }
        finally
        {
            _requests.Enqueue(new ReceivedRequest(attempt, context.Request.Method, context.Request.Path.Value ?? string.Empty, headers, body, verified, context.Response.StatusCode, receivedAt));
        }
    }
}
