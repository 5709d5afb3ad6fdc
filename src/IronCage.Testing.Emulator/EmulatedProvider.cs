using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator;

/// <summary>One provider of the <see cref="ProviderEmulator"/>: its base address, its request log and its fault switches.</summary>
public abstract class EmulatedProvider
{
    private readonly object _faultsLock = new();
    private readonly List<(EmulatedFault Fault, int Remaining)> _faults = [];
    private readonly ConcurrentQueue<string> _requests = new();

    private protected EmulatedProvider(Uri baseAddress, TimeProvider time)
    {
        BaseAddress = baseAddress;
        Time = time;
    }

    /// <summary>Gets the address to use as the adapter's <c>BaseAddress</c> (it ends in <c>/</c>).</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets every request received, as <c>METHOD path?query</c> (relative to <see cref="BaseAddress"/>), oldest first.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    private protected TimeProvider Time { get; }

    private protected object Sync { get; } = new();

    /// <summary>Makes the next matching requests fail (see <see cref="EmulatedFault"/>).</summary>
    /// <param name="fault">The failure.</param>
    public void InjectFault(EmulatedFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fault.Times);
        if (fault.StatusCode is null && !fault.Hang)
        {
            throw new ArgumentException("A fault needs a StatusCode or Hang = true.", nameof(fault));
        }

        lock (_faultsLock)
        {
            _faults.Add((fault, fault.Times));
        }
    }

    /// <summary>Makes the next <paramref name="times"/> requests (whose path contains <paramref name="pathContains"/>, if given) fail with <paramref name="statusCode"/>.</summary>
    /// <param name="statusCode">The status, answered with the provider's error body.</param>
    /// <param name="times">How many requests fail.</param>
    /// <param name="retryAfter">The <c>retry-after</c> to send, if any.</param>
    /// <param name="pathContains">A text the path must contain, or <see langword="null"/> for any request.</param>
    public void FailNext(int statusCode, int times = 1, TimeSpan? retryAfter = null, string? pathContains = null)
        => InjectFault(new EmulatedFault { StatusCode = statusCode, Times = times, RetryAfter = retryAfter, PathContains = pathContains });

    /// <summary>Removes every fault not yet used.</summary>
    public void ClearFaults()
    {
        lock (_faultsLock)
        {
            _faults.Clear();
        }
    }

    internal async Task DispatchAsync(HttpContext context, string path)
    {
        _requests.Enqueue($"{context.Request.Method} {path}{context.Request.QueryString}");
        var fault = TakeFault(context.Request.Method, path);
        if (fault is null)
        {
            await HandleAsync(context, path).ConfigureAwait(false);
            return;
        }

        if (fault.AfterHandling)
        {
            // Handle for real, but throw the answer away: the client sees only the failure.
            var original = context.Response.Body;
            context.Response.Body = Stream.Null;
            await HandleAsync(context, path).ConfigureAwait(false);
            context.Response.Body = original;
            context.Response.Headers.Clear();
        }

        if (fault.Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The client gave up, as the test wanted.
            }

            return;
        }

        if (fault.RetryAfter is { } retryAfter)
        {
            context.Response.Headers["retry-after"] = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await WriteErrorAsync(context, fault.StatusCode!.Value, fault.ErrorCode, "Injected by the IronCage emulator.").ConfigureAwait(false);
    }

    private protected abstract Task HandleAsync(HttpContext context, string path);

    private protected abstract Task WriteErrorAsync(HttpContext context, int statusCode, string? errorCode, string message);

    private protected static async Task WriteJsonAsync(HttpContext context, int statusCode, JsonNode body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private protected static async Task<JsonObject?> ReadJsonAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    // The OpenAI chat completions shape (also OpenRouter's): a JSON body, or with "stream": true server-sent events whose
    // last chunk carries the usage (as OpenAI sends with stream_options.include_usage), then [DONE].
    private protected async Task WriteChatCompletionAsync(HttpContext context, JsonObject? request)
    {
        var model = request?["model"]?.GetValue<string>() ?? "gpt-4o-mini";
        var id = NewId("chatcmpl-", 16);
        var created = Time.GetUtcNow().ToUnixTimeSeconds();
        var usage = new JsonObject { ["prompt_tokens"] = EmulatorConstants.InputTokens, ["completion_tokens"] = EmulatorConstants.OutputTokens, ["total_tokens"] = EmulatorConstants.TotalTokens };
        if (request?["stream"]?.GetValueKind() == System.Text.Json.JsonValueKind.True)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/event-stream";
            JsonObject Chunk(JsonNode delta, string? finish, JsonNode? chunkUsage) => new()
            {
                ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = created, ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
                ["usage"] = chunkUsage,
            };
            var events = new[]
            {
                Chunk(new JsonObject { ["role"] = "assistant", ["content"] = EmulatorConstants.ReplyText }, null, null),
                Chunk(new JsonObject(), "stop", null),
                new JsonObject { ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = created, ["model"] = model, ["choices"] = new JsonArray(), ["usage"] = usage },
            };
            foreach (var chunk in events)
            {
                await context.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", context.RequestAborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }

            await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = EmulatorConstants.ReplyText },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = usage,
        }).ConfigureAwait(false);
    }

    private protected static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : null;
    }

    private protected static int? QueryInt(HttpContext context, string name)
        => int.TryParse(context.Request.Query[name].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private protected static string? Query(HttpContext context, string name)
        => context.Request.Query.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value.ToString()) ? value.ToString() : null;

    private protected static string NewId(string prefix, int length = 24) => prefix + RandomNumberGenerator.GetHexString(length, lowercase: true);

    private protected long UnixNow() => Time.GetUtcNow().ToUnixTimeSeconds();

    private EmulatedFault? TakeFault(string method, string path)
    {
        lock (_faultsLock)
        {
            for (var i = 0; i < _faults.Count; i++)
            {
                var (fault, remaining) = _faults[i];
                if ((fault.Method is null || string.Equals(fault.Method, method, StringComparison.OrdinalIgnoreCase))
                    && (fault.PathContains is null || path.Contains(fault.PathContains, StringComparison.Ordinal)))
                {
                    if (remaining <= 1)
                    {
                        _faults.RemoveAt(i);
                    }
                    else
                    {
                        _faults[i] = (fault, remaining - 1);
                    }

                    return fault;
                }
            }

            return null;
        }
    }
}
