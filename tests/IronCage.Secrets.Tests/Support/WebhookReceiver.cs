using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronCage.Secrets.Tests;

/// <summary>A loopback Kestrel receiver for the webhook target: records every request, holds the last value it applied,
/// and answers with scripted statuses first.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<int> ScriptedStatuses { get; } = new();

    public string? RedirectTo { get; set; }

    public List<Received> Requests { get; } = [];

    public string? HeldValue { get; private set; }

    public Uri Url => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook");

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            lock (receiver.Requests)
            {
                receiver.Requests.Add(new Received(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
            }

            if (receiver.RedirectTo is { } redirect)
            {
                context.Response.StatusCode = 307;
                context.Response.Headers.Location = redirect;
                return;
            }

            if (receiver.ScriptedStatuses.TryDequeue(out var status))
            {
                context.Response.StatusCode = status;
                return;
            }

            using var json = JsonDocument.Parse(body);
            var value = json.RootElement.GetProperty("value").GetString();
            if (value == receiver.HeldValue)
            {
                context.Response.Headers[WebhookKeyTargetConstants.AlreadyCurrentHeader] = "true";
            }

            receiver.HeldValue = value;
            context.Response.Headers[WebhookKeyTargetConstants.TargetVersionHeader] = "r" + receiver.Requests.Count;
            context.Response.StatusCode = 200;
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record Received(Dictionary<string, string> Headers, byte[] Body);
}
