using System.Globalization;
using System.Net;
using NodaTime;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace IronCage.Internal;

/// <summary>The resilience settings of one provider connection, copied from the provider's options.</summary>
/// <param name="Timeout">How long one attempt may take.</param>
/// <param name="MaxRetryAttempts">How many times a transient failure is retried.</param>
/// <param name="RetryDelay">The base delay of the jittered exponential back-off when the provider does not say how long to wait.</param>
/// <param name="BreakDuration">How long the circuit stays open after too many transient failures.</param>
internal readonly record struct ProviderResilienceSettings(TimeSpan Timeout, int MaxRetryAttempts, TimeSpan RetryDelay, TimeSpan BreakDuration);

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

    /// <summary>Gets the kind the call's classifier gave the answer (<see langword="null"/> for a success); it decides retries and the circuit breaker.</summary>
    public ProviderErrorKind? Kind { get; private set; }

    /// <summary>Gets how long the provider asked to wait (<c>Retry-After</c>), if it said.</summary>
    public TimeSpan? RetryAfter { get; private set; }

    /// <summary>Classifies the answer for the pipeline.</summary>
    public void Classify(Func<ProviderHttpResponse, ProviderErrorKind?> classify, Instant now)
    {
        Kind = IsSuccess ? null : classify(this);
        RetryAfter = ProviderResponseClassifier.ReadRetryAfter(Message.Headers, now);
    }

    public string? Header(string name)
        => Message.Headers.TryGetValues(name, out var values) || Message.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;

    public void Dispose()
    {
        Array.Clear(Body);
        Message.Dispose();
    }
}

/// <summary>A <see cref="ProviderRequestException"/> built from a classified answer; it keeps the classification (verification turns it back into a result).</summary>
internal sealed class ClassifiedProviderRequestException : ProviderRequestException
{
    public ClassifiedProviderRequestException(ProviderResponseClassification classification, string message)
        : base(classification.Provider, classification.Kind ?? ProviderErrorKind.Unknown, message)
    {
        Classification = classification;
        StatusCode = classification.StatusCode;
        ProviderErrorCode = classification.ProviderErrorCode;
        RequestId = classification.RequestId;
        RetryAfter = classification.RetryAfter;
        IsAmbiguous = classification.IsAmbiguous;
        AlternativeKind = classification.AlternativeKind;
    }

    public ProviderResponseClassification Classification { get; }
}

/// <summary>
/// The one resilience pipeline of every provider package. Each connection gets one instance, which sends its calls
/// (a fresh request per attempt, so a signature or token is computed again) through:
/// <list type="bullet">
/// <item>retry: transient failures (a 408 or 5xx answer, a network failure, an attempt that timed out) of calls that are
/// safe to repeat, with jittered exponential back-off; a <c>Retry-After</c> of at most <see cref="MaxHonouredRetryAfter"/>
/// replaces the back-off, a longer one goes back to the caller at once. Packages whose management API throttles
/// (a 429, or a provider's own throttling answer) retry that too, for any call, since the provider did not act on it;</item>
/// <item>a circuit breaker per connection: when at least half of at least five calls in 30 seconds failed transiently,
/// calls fail fast for the connection's break duration;</item>
/// <item>a timeout per attempt;</item>
/// <item>bodies read up to <see cref="MaxResponseBytes"/>, and network failures, timeouts and an open circuit turned
/// into a <see cref="ProviderRequestException"/> of kind <see cref="ProviderErrorKind.Transient"/>.</item>
/// </list>
/// </summary>
/// <remarks>
/// Shared source, compiled into each provider package. A call that is not safe to repeat (one that creates a key) is
/// never retried on a 5xx or a timeout, which may come after the provider created the key; the adapter decides what to
/// do after such a failure (<c>ProviderHttp.CreateOnceAsync</c> looks the key up by name before creating again).
/// </remarks>
internal sealed class ProviderHttpCalls
{
    /// <summary>The longest <c>Retry-After</c> the pipeline waits out itself; a longer one goes back to the caller.</summary>
    public static readonly TimeSpan MaxHonouredRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>The most bytes of an answer that are read; a longer body is cut off there.</summary>
    public const int MaxResponseBytes = 4 << 20;

    private const double BreakerFailureRatio = 0.5;
    private const int BreakerMinimumThroughput = 5;
    private static readonly TimeSpan BreakerSamplingDuration = TimeSpan.FromSeconds(30);

    private readonly ProviderId _provider;
    private readonly string _connection;
    private readonly TimeProvider _time;
    private readonly ProviderResilienceSettings _settings;
    private readonly ResiliencePipeline<ProviderHttpResponse> _safe;
    private readonly ResiliencePipeline<ProviderHttpResponse> _unsafe;

    /// <summary>Creates the pipeline of one connection.</summary>
    /// <param name="provider">The provider, for error messages.</param>
    /// <param name="connection">The connection's name, for error messages.</param>
    /// <param name="time">The time source of back-off, timeouts and the circuit breaker.</param>
    /// <param name="settings">The connection's resilience settings.</param>
    /// <param name="retryThrottled">Whether an answer classified <see cref="ProviderErrorKind.RateLimited"/> is retried (management APIs whose throttling is short-lived: Azure Resource Manager, Google APIs, IAM).</param>
    /// <param name="onRetry">Told about each retry (status or exception, delay, attempt), for logging.</param>
    public ProviderHttpCalls(ProviderId provider, string connection, TimeProvider time, ProviderResilienceSettings settings, bool retryThrottled = false, Action<string, TimeSpan, int>? onRetry = null)
    {
        _provider = provider;
        _connection = connection;
        _time = time;
        _settings = settings;

        // Breaker outside the timeout, so a timed-out attempt counts as a failure; one breaker per connection, shared by
        // the calls that are safe to repeat and those that are not.
        var attempt = new ResiliencePipelineBuilder<ProviderHttpResponse> { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<ProviderHttpResponse>
            {
                ShouldHandle = static args => ValueTask.FromResult(IsTransient(args.Outcome)),
                FailureRatio = BreakerFailureRatio,
                MinimumThroughput = BreakerMinimumThroughput,
                SamplingDuration = BreakerSamplingDuration,
                BreakDuration = settings.BreakDuration,
            })
            .AddTimeout(settings.Timeout)
            .Build();
        _safe = WithRetry(repeatable: true);
        _unsafe = WithRetry(repeatable: false);

        ResiliencePipeline<ProviderHttpResponse> WithRetry(bool repeatable)
        {
            if (settings.MaxRetryAttempts == 0 || (!repeatable && !retryThrottled))
            {
                return attempt;
            }

            return new ResiliencePipelineBuilder<ProviderHttpResponse> { TimeProvider = time }
                .AddRetry(new RetryStrategyOptions<ProviderHttpResponse>
                {
                    MaxRetryAttempts = settings.MaxRetryAttempts,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = settings.RetryDelay,
                    ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, repeatable, retryThrottled)),
                    DelayGenerator = static args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
                    OnRetry = args =>
                    {
                        onRetry?.Invoke(args.Outcome.Result is { } r ? r.StatusCode.ToString(CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name ?? "failure", args.RetryDelay, args.AttemptNumber + 1);
                        return ValueTask.CompletedTask;
                    },
                })
                .AddPipeline(attempt)
                .Build();
        }
    }

    /// <summary>The kind an answer has by its status alone: 408 and 5xx are transient, 429 is rate limited.</summary>
    public static ProviderErrorKind? StatusKind(ProviderHttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.StatusCode switch
        {
            (int)HttpStatusCode.TooManyRequests => ProviderErrorKind.RateLimited,
            (int)HttpStatusCode.RequestTimeout or >= 500 => ProviderErrorKind.Transient,
            _ => null,
        };
    }

    /// <summary>Sends a request built anew for every attempt.</summary>
    /// <param name="client">The HTTP client.</param>
    /// <param name="createRequest">Builds (and authenticates or signs) the request.</param>
    /// <param name="operation">What is attempted, for error messages.</param>
    /// <param name="safeToRetry">Whether repeating the request after an unclear failure is harmless.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="classify">Classifies an answer for retry and circuit-breaker decisions; <see langword="null"/> uses <see cref="StatusKind"/>.</param>
    /// <param name="scrub">Removes a credential the request carries from a network error's message.</param>
    /// <returns>The answer, whatever its status; the caller disposes it.</returns>
    /// <exception cref="ProviderRequestException">The provider could not be reached, did not answer in time, or the circuit is open (kind <see cref="ProviderErrorKind.Transient"/>).</exception>
    public async Task<ProviderHttpResponse> SendAsync(
        HttpClient client,
        Func<CancellationToken, ValueTask<HttpRequestMessage>> createRequest,
        string operation,
        bool safeToRetry,
        CancellationToken cancellationToken,
        Func<ProviderHttpResponse, ProviderErrorKind?>? classify = null,
        Func<string, string>? scrub = null)
    {
        var pipeline = safeToRetry ? _safe : _unsafe;
        var state = new SendState(this, client, createRequest, classify ?? StatusKind);
        try
        {
            return await pipeline.ExecuteAsync(
                static async (state, token) =>
                {
                    using var request = await state.CreateRequest(token).ConfigureAwait(false);
                    state.Host ??= request.RequestUri?.Host;
                    var response = await state.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                    try
                    {
                        var answer = new ProviderHttpResponse(response, await ReadBoundedAsync(response, token).ConfigureAwait(false));
                        answer.Classify(state.Classify, state.Self.Now());
                        return answer;
                    }
                    catch
                    {
                        response.Dispose();
                        throw;
                    }
                },
                state,
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProviderRequestException(_provider, ProviderErrorKind.Transient, string.Create(CultureInfo.InvariantCulture, $"{_provider}: {operation} got no answer within {_settings.Timeout.TotalSeconds:0.###} s (connection '{_connection}'). The provider may still have acted; IronCage checks its state before repeating a create. Raise the connection's timeout if the provider is slow."), ex);
        }
        catch (BrokenCircuitException ex)
        {
            throw new ProviderRequestException(_provider, ProviderErrorKind.Transient, $"{_provider}: {operation} was not sent because too many calls of connection '{_connection}' failed recently (circuit open). Try again later.", ex)
            {
                RetryAfter = ex.RetryAfter,
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // A connection that fails while the body is read surfaces as an IOException: the same network failure.
            var message = scrub is null ? ex.Message : scrub(ex.Message);
            throw new ProviderRequestException(_provider, ProviderErrorKind.Transient, $"{_provider}: {operation} could not reach {state.Host ?? "the provider"} ({message}). Check the connection's endpoint and the network; IronCage retries later.", ex);
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

    /// <summary>
    /// Builds the exception for an error answer: the one path by which every provider package turns a classification
    /// into a <see cref="ProviderRequestException"/>.
    /// </summary>
    /// <param name="classification">The answer's classification (its kind is not <see langword="null"/>).</param>
    /// <param name="operation">What was attempted.</param>
    /// <param name="fix">What to do about it; <see langword="null"/> adds nothing.</param>
    /// <returns>The exception.</returns>
    public static ClassifiedProviderRequestException Error(ProviderResponseClassification classification, string operation, string? fix)
    {
        ArgumentNullException.ThrowIfNull(classification);
        return new ClassifiedProviderRequestException(classification, classification.Describe(operation) + (fix is null ? string.Empty : " " + fix));
    }

    /// <summary>
    /// Builds the exception for a JSON error answer of a management API (Azure Resource Manager, Google APIs), classified
    /// by its status and body alone.
    /// </summary>
    /// <param name="response">The error answer.</param>
    /// <param name="operation">What was attempted.</param>
    /// <param name="fix">What to do about it, by kind; <see langword="null"/> adds nothing.</param>
    /// <returns>The exception.</returns>
    /// <remarks>
    /// The catalog's error rules describe the provider's data plane (the answers to a key being verified), not its
    /// management API: Gemini's "400 FAILED_PRECONDITION = free tier not available in the region" would turn an API
    /// Keys precondition failure (undelete of a key that is not deleted) into Forbidden.
    /// </remarks>
    public ProviderRequestException JsonError(ProviderHttpResponse response, string operation, Func<ProviderErrorKind, string?>? fix = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        var catalog = ProviderCatalog.BuiltIn.GetDescriptor(_provider);
        var managementApi = new ProviderDescriptor(_provider, catalog.DisplayName) { ConsoleUrl = catalog.ConsoleUrl };
        var classification = ProviderResponseClassifier.Classify(managementApi, response.Message, response.Body, Now());
        return Error(classification, operation, fix?.Invoke(classification.Kind ?? ProviderErrorKind.Unknown));
    }

    private static bool ShouldRetry(Outcome<ProviderHttpResponse> outcome, bool repeatable, bool retryThrottled)
    {
        if (outcome.Result is { RetryAfter: { } wait } && wait > MaxHonouredRetryAfter)
        {
            // Waiting that long would hold the caller (a rotation, a request) hostage; it reschedules with RetryAfter.
            return false;
        }

        return outcome.Result?.Kind == ProviderErrorKind.RateLimited ? retryThrottled : repeatable && IsTransient(outcome);
    }

    private static bool IsTransient(Outcome<ProviderHttpResponse> outcome) => outcome switch
    {
        { Result: { } response } => response.Kind == ProviderErrorKind.Transient,
        { Exception: HttpRequestException or IOException or TimeoutRejectedException } => true,
        _ => false,
    };

    private Instant Now() => Instant.FromDateTimeOffset(_time.GetUtcNow());

    private sealed class SendState(ProviderHttpCalls self, HttpClient client, Func<CancellationToken, ValueTask<HttpRequestMessage>> createRequest, Func<ProviderHttpResponse, ProviderErrorKind?> classify)
    {
        public ProviderHttpCalls Self { get; } = self;

        public HttpClient Client { get; } = client;

        public Func<CancellationToken, ValueTask<HttpRequestMessage>> CreateRequest { get; } = createRequest;

        public Func<ProviderHttpResponse, ProviderErrorKind?> Classify { get; } = classify;

        // The host of the first attempt, named when the provider cannot be reached.
        public string? Host { get; set; }
    }

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
                    if (buffer.Length >= MaxResponseBytes)
                    {
                        break;
                    }

                    // Every outgrown buffer is zeroed: a create answer holds a new secret.
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
