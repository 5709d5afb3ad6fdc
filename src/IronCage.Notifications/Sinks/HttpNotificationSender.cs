using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using NodaTime;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace IronCage.Notifications;

/// <summary>
/// POSTs deliveries for the HTTP sinks through a Polly pipeline: a timeout per attempt inside a retry with jittered
/// exponential back-off for transient failures (5xx, 408, 429 honouring <c>Retry-After</c>, network errors and
/// timeouts); 4xx answers and redirects are final. Logs the sink, event and delivery id, never the URL or a header.
/// </summary>
internal sealed class HttpNotificationSender
{
    private static readonly ResiliencePropertyKey<Delivery> DeliveryKey = new("IronCage.Notifications.Delivery");

    private readonly string _sinkName;
    private readonly string _clientName;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly TimeSpan _maxRetryDelay;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public HttpNotificationSender(string sinkName, string clientName, HttpNotificationOptions options, IHttpClientFactory httpClientFactory, IClock clock, ILogger logger)
    {
        _sinkName = sinkName;
        _clientName = clientName;
        _httpClientFactory = httpClientFactory;
        _clock = clock;
        _logger = logger;
        _maxRetryDelay = options.MaxRetryDelay;

        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } response ? RetryAfter(response) : null),
                OnRetry = args =>
                {
                    var delivery = args.Context.Properties.GetValue(DeliveryKey, null!);
                    var outcome = args.Outcome.Result is { } response
                        ? $"HTTP {(int)response.StatusCode}"
                        : args.Outcome.Exception?.GetType().Name ?? "unknown";
                    Log.NotificationRetrying(_logger, _sinkName, delivery.Event.Type, delivery.Event.Key, delivery.Id, args.AttemptNumber + 1, outcome, args.RetryDelay);
                    return default;
                },
            });
        }

        builder.AddTimeout(options.Timeout);
        _pipeline = builder.Build();
    }

    /// <summary>Delivers one event; throws <see cref="NotificationDeliveryException"/> (final for the outbox) when it could not be delivered.</summary>
    /// <param name="notificationEvent">The event.</param>
    /// <param name="deliveryId">The delivery id, the same on every attempt.</param>
    /// <param name="createRequest">Creates the request for one attempt (a request cannot be sent twice; each attempt may be signed anew).</param>
    /// <param name="cancellationToken">Cancels the delivery.</param>
    public async ValueTask SendAsync(NotificationEvent notificationEvent, string deliveryId, Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken)
    {
        var delivery = new Delivery(this, notificationEvent, deliveryId, createRequest);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(DeliveryKey, delivery);
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                static async (context, delivery) =>
                {
                    delivery.Attempts++;
                    using var request = delivery.CreateRequest();
                    var client = delivery.Sender._httpClientFactory.CreateClient(delivery.Sender._clientName);
                    return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.CancellationToken).ConfigureAwait(false);
                },
                context,
                delivery).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException)
        {
            throw new NotificationDeliveryException($"{Prefix(delivery)}: the receiver could not be reached after {Attempts(delivery)} ({ex.Message}). Check the URL and that the receiver is up.", ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                Log.NotificationDelivered(_logger, _sinkName, notificationEvent.Type, notificationEvent.Key, deliveryId, delivery.Attempts);
                return;
            }

            throw new NotificationDeliveryException($"{Prefix(delivery)}: the receiver answered {(int)response.StatusCode} ({response.ReasonPhrase}) after {Attempts(delivery)}. {Hint(response)}");
        }
    }

    private static string Prefix(Delivery delivery)
        => $"The {delivery.Sender._sinkName} notification sink could not deliver {delivery.Event.Type} for {delivery.Event.Key} (delivery {delivery.Id})";

    private static string Attempts(Delivery delivery)
        => delivery.Attempts == 1 ? "1 attempt" : $"{delivery.Attempts.ToString(CultureInfo.InvariantCulture)} attempts";

    private static bool IsTransientStatus(HttpStatusCode status)
        => (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private string Hint(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        return status switch
        {
            >= 300 and < 400 => "Redirects are never followed (they could carry the delivery elsewhere); set the URL to the final address.",
            401 or 403 => "The receiver refused the delivery; check that it verifies with the same secret and that its clock is right.",
            404 or 410 => "Check the URL.",
            _ when IsTransientStatus(response.StatusCode) && RetryAfter(response) > _maxRetryDelay
                => $"It asked to retry after {RetryAfter(response)}, longer than MaxRetryDelay ({_maxRetryDelay}), so the delivery was given up rather than hold up the sink's queue.",
            _ when IsTransientStatus(response.StatusCode) => "The receiver kept failing; the event was not delivered.",
            _ => "The receiver rejected the delivery; such answers are not retried.",
        };
    }

    private bool IsTransient(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Exception is { } exception)
        {
            return exception is HttpRequestException or TimeoutRejectedException;
        }

        var response = outcome.Result!;
        if (!IsTransientStatus(response.StatusCode))
        {
            return false;
        }

        // Honour Retry-After: when the receiver asks for a longer pause than allowed, give up rather than ignore it.
        return RetryAfter(response) is not { } retryAfter || retryAfter <= _maxRetryDelay;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        if (retryAfter.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter.Date is { } date)
        {
            var wait = date - _clock.GetCurrentInstant().ToDateTimeOffset();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private sealed class Delivery(HttpNotificationSender sender, NotificationEvent notificationEvent, string id, Func<HttpRequestMessage> createRequest)
    {
        public HttpNotificationSender Sender { get; } = sender;

        public NotificationEvent Event { get; } = notificationEvent;

        public string Id { get; } = id;

        public Func<HttpRequestMessage> CreateRequest { get; } = createRequest;

        public int Attempts { get; set; }
    }
}
