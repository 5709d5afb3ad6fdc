using System.Collections.Concurrent;

namespace IronCage.Http.Tests.Support;

/// <summary>The primary handler of test HttpClients: answers each request with the next scripted response and records what was sent.</summary>
internal sealed class ScriptedHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpRequestMessage, Task<HttpResponseMessage>>> _script = new();

    public ConcurrentQueue<SentRequest> Sent { get; } = new();

    public Func<HttpRequestMessage, Task<HttpResponseMessage>>? Fallback { get; set; }

    public ScriptedHandler Then(Func<HttpRequestMessage, HttpResponseMessage> respond)
    {
        _script.Enqueue(request => Task.FromResult(respond(request)));
        return this;
    }

    public ScriptedHandler ThenAsync(Func<HttpRequestMessage, Task<HttpResponseMessage>> respond)
    {
        _script.Enqueue(respond);
        return this;
    }

    public ScriptedHandler Then(int status, string json, params (string Name, string Value)[] headers)
        => Then(_ => Json(status, json, headers));

    public static HttpResponseMessage Json(int status, string json, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage((System.Net.HttpStatusCode)status) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Sent.Enqueue(new SentRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
            body));
        if (_script.TryDequeue(out var next))
        {
            return await next(request);
        }

        return Fallback is { } fallback ? await fallback(request) : Json(200, """{"object":"list","data":[]}""");
    }
}

internal sealed record SentRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
