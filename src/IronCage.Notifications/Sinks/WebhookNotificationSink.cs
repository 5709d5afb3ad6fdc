using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Notifications;

/// <summary>
/// POSTs every event as JSON to a URL, signed with a shared secret so the receiver can tell it came from
/// IronCage and was not altered or replayed (see <see cref="WebhookSignature"/>).
/// </summary>
/// <remarks>
/// <para>
/// The body is a JSON object with <c>id</c> (the delivery id), <c>type</c> (<see cref="NotificationEvent.Type"/>),
/// <c>severity</c> (<c>info</c>, <c>warning</c>, <c>critical</c>), <c>key</c> (<c>provider/name</c>),
/// <c>operationId</c>, <c>occurredAt</c> (ISO-8601 UTC), <c>message</c> (<see cref="NotificationEvent.Describe"/>) and the
/// event type's own fields in camelCase (<c>versionId</c>, <c>reason</c>, <c>tier</c>, <c>dueAt</c>,
/// <c>consoleUrl</c>, …; enum values in snake_case). It never holds a secret.
/// </para>
/// <para>
/// Headers: <c>X-IronCage-Event</c> (the type), <c>X-IronCage-Delivery</c> (the id, the same on every retry),
/// <c>X-IronCage-Timestamp</c> (Unix seconds of the attempt) and <c>X-IronCage-Signature</c>
/// (<c>sha256=</c> HMAC of <c>"&lt;timestamp&gt;.&lt;body&gt;"</c>). Transient failures are retried with jittered
/// exponential back-off (<see cref="HttpNotificationOptions.MaxRetries"/>); 4xx answers are not, redirects
/// are never followed, and a delivery that fails for good throws <see cref="NotificationDeliveryException"/>, which the
/// outbox logs and does not retry again. The HTTP client is named <see cref="NotificationConstants.WebhookHttpClientName"/>.
/// </para>
/// </remarks>
public sealed class WebhookNotificationSink : INotificationSink
{
    private readonly Uri _url;
    private readonly string _secret;
    private readonly IClock _clock;
    private readonly HttpNotificationSender _sender;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="httpClientFactory">Creates the <see cref="NotificationConstants.WebhookHttpClientName"/> client.</param>
    /// <param name="options">The options; validated at start.</param>
    /// <param name="clock">The clock deliveries are timestamped with.</param>
    /// <param name="logger">The logger for retries and deliveries.</param>
    /// <exception cref="OptionsValidationException">The options are not valid.</exception>
    public WebhookNotificationSink(IHttpClientFactory httpClientFactory, IOptions<WebhookNotificationOptions> options, IClock clock, ILogger<WebhookNotificationSink> logger)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        var value = options.Value;
        var validation = new NotificationOptionsValidator().Validate(Options.DefaultName, value);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(WebhookNotificationOptions), validation.Failures);
        }

        _url = value.Url!;
        _secret = value.Secret!;
        _clock = clock;
        _sender = new HttpNotificationSender(Name, NotificationConstants.WebhookHttpClientName, value, httpClientFactory, clock, logger);
    }

    /// <inheritdoc />
    public string Name => "webhook";

    /// <inheritdoc />
    /// <exception cref="NotificationDeliveryException">The event could not be delivered (after retries, where the failure was transient).</exception>
    public async ValueTask SendAsync(NotificationEvent notificationEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notificationEvent);
        var deliveryId = Guid.NewGuid().ToString("D");
        var body = WebhookPayload.Write(notificationEvent, deliveryId);
        await _sender.SendAsync(notificationEvent, deliveryId, () => CreateRequest(notificationEvent, deliveryId, body), cancellationToken).ConfigureAwait(false);
    }

    private HttpRequestMessage CreateRequest(NotificationEvent notificationEvent, string deliveryId, byte[] body)
    {
        // Signed per attempt: a retry after a long Retry-After still carries a fresh timestamp.
        var timestamp = _clock.GetCurrentInstant().ToUnixTimeSeconds();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = content };
        request.Headers.Add(NotificationConstants.EventHeader, notificationEvent.Type);
        request.Headers.Add(NotificationConstants.DeliveryHeader, deliveryId);
        request.Headers.Add(NotificationConstants.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(NotificationConstants.SignatureHeader, WebhookSignature.Compute(_secret, timestamp, body));
        return request;
    }
}
