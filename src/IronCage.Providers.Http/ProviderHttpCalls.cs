using System.Globalization;
using IronCage.Providers.Http.Internal;
using IronCage.Verification;
using NodaTime;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace IronCage.Providers.Http;

/// <summary>
/// Sends the calls of one provider connection through the package's <see cref="HttpClient"/>, whose pipeline
/// (<see cref="ProviderHttpIronCageBuilderExtensions.AddProviderConnection{TOptions}(IIronCageBuilder, string, Action{TOptions}, ProviderClientSettings)"/>) retries transient failures of repeatable
/// calls, breaks the circuit of the connection and times each attempt out. Answers come back read into memory; network
/// failures, timeouts and an open circuit become a <see cref="ProviderRequestException"/> of kind
/// <see cref="ProviderErrorKind.Transient"/> whose message never repeats foreign text (it could echo a credential).
/// </summary>
/// <remarks>
/// A call that is not safe to repeat (one that creates a key) is sent exactly once: a 5xx or a timeout may come after
/// the provider created the key, and the rotation engine, which recorded that a create was attempted, looks the key up
/// by its name before it creates again.
/// </remarks>
public sealed class ProviderHttpCalls
{
    private readonly ProviderDescriptor _descriptor;
    private readonly string _connection;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    /// <summary>Initializes the calls of one connection.</summary>
    /// <param name="descriptor">The provider, as the host's <see cref="IProviderCatalog"/> describes it.</param>
    /// <param name="connection">The connection's name: it selects the connection's pipeline and is named in messages.</param>
    /// <param name="options">The connection's settings (the timeout is named in messages).</param>
    /// <param name="time">The time source of polling and of <c>Retry-After</c> dates; <see langword="null"/> for the system clock.</param>
    public ProviderHttpCalls(ProviderDescriptor descriptor, string connection, ProviderHttpOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        ArgumentNullException.ThrowIfNull(options);
        _descriptor = descriptor;
        _connection = connection;
        _timeout = options.Timeout;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Gets the provider.</summary>
    public ProviderId Provider => _descriptor.Id;

    /// <summary>The kind an answer has by its status alone: 408 and 5xx are transient, 429 is rate limited.</summary>
    /// <param name="response">The answer.</param>
    /// <returns>The kind, or <see langword="null"/> for other statuses.</returns>
    public static ProviderErrorKind? StatusKind(ProviderHttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return ProviderResiliencePipeline.StatusKind(response.StatusCode);
    }

    /// <summary>Sends a request through the connection's pipeline.</summary>
    /// <param name="client">The package's HTTP client (from <see cref="IHttpClientFactory"/>).</param>
    /// <param name="createRequest">Builds (and authenticates or signs) the request.</param>
    /// <param name="operation">What is attempted, for error messages.</param>
    /// <param name="safeToRetry">Whether repeating the request after an unclear failure is harmless.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="classify">Classifies an answer for retry and circuit-breaker decisions; <see langword="null"/> uses <see cref="StatusKind"/>.</param>
    /// <returns>The answer, whatever its status; the caller disposes it.</returns>
    /// <exception cref="ProviderRequestException">The provider could not be reached, did not answer in time, or the circuit is open (kind <see cref="ProviderErrorKind.Transient"/>).</exception>
    public async Task<ProviderHttpResponse> SendAsync(
        HttpClient client,
        Func<CancellationToken, ValueTask<HttpRequestMessage>> createRequest,
        string operation,
        bool safeToRetry,
        CancellationToken cancellationToken,
        Func<ProviderHttpResponse, ProviderErrorKind?>? classify = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(createRequest);
        classify ??= StatusKind;
        using var request = await createRequest(cancellationToken).ConfigureAwait(false);
        request.Options.Set(ProviderRequestOptions.Connection, _connection);
        request.Options.Set(ProviderRequestOptions.Repeatable, safeToRetry);
        request.Options.Set(ProviderRequestOptions.Classifier, classify);
        var host = request.RequestUri?.Host ?? "the provider";
        try
        {
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            try
            {
                var answer = new ProviderHttpResponse(response, await ProviderResponseBuffer.ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false));
                answer.Classify(classify, Now());
                return answer;
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
        catch (TimeoutRejectedException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProviderRequestException(Provider, ProviderErrorKind.Transient, string.Create(CultureInfo.InvariantCulture, $"{Provider}: {operation} got no answer within {_timeout.TotalSeconds:0.###} s (connection '{_connection}'). The provider may still have acted; IronCage checks its state before repeating a create. Raise the connection's Timeout if the provider is slow."), ex);
        }
        catch (BrokenCircuitException ex)
        {
            throw new ProviderRequestException(Provider, ProviderErrorKind.Transient, $"{Provider}: {operation} was not sent because too many calls of connection '{_connection}' failed recently (circuit open). Try again later.", ex)
            {
                RetryAfter = ex.RetryAfter,
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // The exception's own message is not repeated: text from below the client may carry what was sent.
            var reason = ex is HttpRequestException { HttpRequestError: var error and not HttpRequestError.Unknown } ? error.ToString() : "connection lost while reading the answer";
            throw new ProviderRequestException(Provider, ProviderErrorKind.Transient, $"{Provider}: {operation} could not reach {host} ({reason}). Check the connection's BaseAddress and the network; IronCage retries later.", ex);
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
        ArgumentNullException.ThrowIfNull(poll);
        ArgumentNullException.ThrowIfNull(settings);
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
                throw new ProviderRequestException(Provider, ProviderErrorKind.Transient, string.Create(CultureInfo.InvariantCulture, $"{Provider}: {operation} did not finish within {settings.Timeout.TotalSeconds:0.#} s. It may still complete at the provider; IronCage looks again when the rotation is resumed."));
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
    /// Keys precondition failure (undelete of a key that is not deleted) into Forbidden. The host's descriptor still
    /// gives the display name and console address.
    /// </remarks>
    public ProviderRequestException JsonError(ProviderHttpResponse response, string operation, Func<ProviderErrorKind, string?>? fix = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        var managementApi = new ProviderDescriptor(_descriptor.Id, _descriptor.DisplayName) { ConsoleUrl = _descriptor.ConsoleUrl };
        var classification = ProviderResponseClassifier.Classify(managementApi, response.Message, response.Body, Now());
        return Error(classification, operation, fix?.Invoke(classification.Kind ?? ProviderErrorKind.Unknown));
    }

    private Instant Now() => Instant.FromDateTimeOffset(_time.GetUtcNow());
}
