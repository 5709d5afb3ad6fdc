using System.Globalization;
using System.Net;
using NodaTime;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace IronCage.Internal;

/// <summary>How a provider adapter's management calls are retried, timed out and polled.</summary>
/// <param name="RequestTimeout">The longest one attempt may take.</param>
/// <param name="MaxRetries">How many times a transient failure is retried.</param>
/// <param name="RetryDelay">The first back-off delay (doubled per attempt, with jitter) when the provider does not say how long to wait.</param>
/// <param name="MaxRetryAfter">The longest <c>Retry-After</c> honoured; a provider asking for longer gets the error back instead.</param>
internal sealed record ProviderCallSettings(TimeSpan RequestTimeout, int MaxRetries, TimeSpan RetryDelay, TimeSpan MaxRetryAfter);

/// <summary>How a long-running provider operation is polled.</summary>
/// <param name="Interval">The first wait between polls (doubled up to <paramref name="MaxInterval"/>).</param>
/// <param name="MaxInterval">The longest wait between polls.</param>
/// <param name="Timeout">The overall deadline of the operation.</param>
internal sealed record ProviderPollSettings(TimeSpan Interval, TimeSpan MaxInterval, TimeSpan Timeout);

/// <summary>A provider's answer with its body read into memory. Disposing it zeroes the body (it may hold a key).</summary>
internal sealed class ProviderHttpResponse : IDisposable
{
    public ProviderHttpResponse(HttpResponseMessage message, byte[] body)
    {
        Message = message;
        Body = body;
    }

    public HttpResponseMessage Message { get; }

    public byte[] Body { get; }

    public int StatusCode => (int)Message.StatusCode;

    public bool IsSuccess => Message.IsSuccessStatusCode;

    public string? Header(string name)
        => Message.Headers.TryGetValues(name, out var values) || Message.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;

    public void Dispose()
    {
        Array.Clear(Body);
        Message.Dispose();
    }
}

/// <summary>
/// Sends a provider adapter's management calls: a fresh request per attempt (so a signature or token is computed
/// again), transient failures retried with back-off that honours <c>Retry-After</c>, a timeout per attempt, and
/// network failures turned into a <see cref="ProviderRequestException"/> of kind <see cref="ProviderErrorKind.Transient"/>.
/// </summary>
/// <remarks>
/// Shared source, compiled into each cloud provider package (AWS Bedrock, Azure OpenAI, Google Gemini). A request that
/// is not safe to repeat (one that creates a key) is retried only on answers that prove the provider did not act on it
/// (429 and throttling), never on a 5xx or a timeout, which may come after the provider created the key.
/// </remarks>
internal sealed class ProviderHttpCalls
{
    private const int MaxBodyBytes = 1024 * 1024;
    private readonly ProviderId _provider;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<ProviderHttpResponse> _safe;
    private readonly ResiliencePipeline<ProviderHttpResponse> _unsafe;
    private readonly ProviderCallSettings _settings;

    /// <summary>Creates the sender.</summary>
    /// <param name="provider">The provider, for error messages.</param>
    /// <param name="time">The time source of back-off and timeouts.</param>
    /// <param name="settings">Retry and timeout settings.</param>
    /// <param name="isThrottled">Recognises a throttling answer that is not a 429 (AWS answers <c>Throttling</c> with 400).</param>
    /// <param name="onRetry">Told about each retry (status or exception, delay), for logging.</param>
    public ProviderHttpCalls(ProviderId provider, TimeProvider time, ProviderCallSettings settings, Func<ProviderHttpResponse, bool>? isThrottled = null, Action<string, TimeSpan, int>? onRetry = null)
    {
        _provider = provider;
        _time = time;
        _settings = settings;
        isThrottled ??= static _ => false;
        _safe = Build(transientToo: true);
        _unsafe = Build(transientToo: false);

        ResiliencePipeline<ProviderHttpResponse> Build(bool transientToo)
        {
            var builder = new ResiliencePipelineBuilder<ProviderHttpResponse> { TimeProvider = time };
            if (settings.MaxRetries > 0)
            {
                builder.AddRetry(new RetryStrategyOptions<ProviderHttpResponse>
                {
                    MaxRetryAttempts = settings.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = settings.RetryDelay,
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                    {
                        { Result: { } response } => response.StatusCode == 429 || isThrottled(response) || (transientToo && IsTransientStatus(response.StatusCode)),
                        { Exception: HttpRequestException or TimeoutRejectedException } => transientToo,
                        _ => false,
                    }),
                    DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } response ? RetryAfter(response) : null),
                    OnRetry = args =>
                    {
                        onRetry?.Invoke(args.Outcome.Result is { } r ? r.StatusCode.ToString(CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name ?? "failure", args.RetryDelay, args.AttemptNumber + 1);
                        return ValueTask.CompletedTask;
                    },
                });
            }

            builder.AddTimeout(settings.RequestTimeout);
            return builder.Build();
        }
    }

    /// <summary>Sends a request built anew for every attempt.</summary>
    /// <param name="client">The HTTP client.</param>
    /// <param name="createRequest">Builds (and authenticates or signs) the request.</param>
    /// <param name="operation">What is attempted, for error messages.</param>
    /// <param name="safeToRetry">Whether repeating the request after an unclear failure is harmless.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer, whatever its status; the caller disposes it.</returns>
    /// <exception cref="ProviderRequestException">The provider could not be reached or did not answer in time.</exception>
    public async Task<ProviderHttpResponse> SendAsync(HttpClient client, Func<CancellationToken, ValueTask<HttpRequestMessage>> createRequest, string operation, bool safeToRetry, CancellationToken cancellationToken)
    {
        var pipeline = safeToRetry ? _safe : _unsafe;
        try
        {
            return await pipeline.ExecuteAsync(
                static async (state, token) =>
                {
                    using var request = await state.createRequest(token).ConfigureAwait(false);
                    var response = await state.client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                    try
                    {
                        return new ProviderHttpResponse(response, await ReadBoundedAsync(response, token).ConfigureAwait(false));
                    }
                    catch
                    {
                        response.Dispose();
                        throw;
                    }
                },
                (client, createRequest),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            var reason = ex is TimeoutRejectedException
                ? string.Create(CultureInfo.InvariantCulture, $"no answer within {_settings.RequestTimeout.TotalSeconds:0.#} s")
                : ex.Message;
            throw new ProviderRequestException(_provider, ProviderErrorKind.Transient, $"{_provider}: {operation} could not reach the provider ({reason}). Check the network path and the endpoint setting; IronCage retries later.", ex);
        }
    }

    /// <summary>Polls a long-running operation until it reports done, with back-off and an overall deadline.</summary>
    /// <typeparam name="T">What the finished operation yields.</typeparam>
    /// <param name="poll">One poll: whether it is done, its result, and a wait the provider asked for.</param>
    /// <param name="settings">Intervals and deadline.</param>
    /// <param name="operation">What is awaited, for the timeout message.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The result of the poll that reported done.</returns>
    /// <exception cref="ProviderRequestException">The operation did not finish before the deadline (kind <see cref="ProviderErrorKind.Transient"/>).</exception>
    public async Task<T> PollAsync<T>(Func<CancellationToken, Task<(bool Done, T Result, TimeSpan? Wait)>> poll, ProviderPollSettings settings, string operation, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + settings.Timeout;
        var interval = settings.Interval;
        while (true)
        {
            var (done, result, wait) = await poll(cancellationToken).ConfigureAwait(false);
            if (done)
            {
                return result;
            }

            var delay = wait is { } asked && asked > interval ? (asked < settings.MaxInterval ? asked : settings.MaxInterval) : interval;
            if (_time.GetUtcNow() + delay > deadline)
            {
                throw new ProviderRequestException(_provider, ProviderErrorKind.Transient, string.Create(CultureInfo.InvariantCulture, $"{_provider}: {operation} did not finish within {settings.Timeout.TotalSeconds:0.#} s. It may still complete at the provider; IronCage looks again when the rotation is resumed."));
            }

            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            interval = interval * 2 < settings.MaxInterval ? interval * 2 : settings.MaxInterval;
        }
    }

    /// <summary>Builds the exception for a JSON error answer (Azure Resource Manager, Google APIs), classified by the catalog's rules for the provider.</summary>
    /// <param name="response">The error answer.</param>
    /// <param name="operation">What was attempted.</param>
    /// <param name="fix">What to do about it, by kind; <see langword="null"/> adds nothing.</param>
    /// <returns>The exception.</returns>
    public ProviderRequestException JsonError(ProviderHttpResponse response, string operation, Func<ProviderErrorKind, string?>? fix = null)
    {
        var descriptor = ProviderCatalog.BuiltIn.GetDescriptor(_provider);
        var classification = ProviderResponseClassifier.Classify(descriptor, response.Message, response.Body, Now());
        var kind = classification.Kind ?? ProviderErrorKind.Unknown;
        var hint = fix?.Invoke(kind);
        return new ProviderRequestException(_provider, kind, classification.Describe(operation) + (hint is null ? string.Empty : " " + hint))
        {
            StatusCode = classification.StatusCode,
            ProviderErrorCode = classification.ProviderErrorCode,
            RequestId = classification.RequestId,
            RetryAfter = classification.RetryAfter,
            IsAmbiguous = classification.IsAmbiguous,
            AlternativeKind = classification.AlternativeKind,
        };
    }

    /// <summary>Reads how long the provider asked to wait, if it said.</summary>
    public TimeSpan? RetryAfter(ProviderHttpResponse response)
    {
        var wait = ProviderResponseClassifier.ReadRetryAfter(response.Message.Headers, Now());
        return wait is { } w && w <= _settings.MaxRetryAfter ? w : null;
    }

    private static bool IsTransientStatus(int status) => status is (int)HttpStatusCode.RequestTimeout or 500 or 502 or 503 or 504;

    private Instant Now() => Instant.FromDateTimeOffset(_time.GetUtcNow());

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[16 * 1024];
            var total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total == buffer.Length)
                {
                    if (buffer.Length >= MaxBodyBytes)
                    {
                        break;
                    }

                    var larger = new byte[buffer.Length * 2];
                    buffer.AsSpan(0, total).CopyTo(larger);
                    Array.Clear(buffer);
                    buffer = larger;
                }
            }

            var body = buffer.AsSpan(0, total).ToArray();
            Array.Clear(buffer);
            return body;
        }
    }
}
