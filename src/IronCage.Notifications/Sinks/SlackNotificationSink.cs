using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Notifications;

/// <summary>
/// Posts every event to a Slack channel through an incoming webhook: a severity marker
/// (<c>:information_source:</c>, <c>:warning:</c>, <c>:rotating_light:</c>), the event type and key, the message, and
/// a link to the provider console when a person has to act there.
/// </summary>
/// <remarks>
/// The message has a plain <c>text</c> fallback (what notifications show) and Block Kit <c>blocks</c>: <c>section</c>
/// blocks with <c>mrkdwn</c> text and a <c>context</c> block with the time and operation id. Retries and failures
/// behave as for <see cref="WebhookNotificationSink"/>; Slack answers 429 with <c>Retry-After</c> when rate limited.
/// The HTTP client is named <see cref="NotificationConstants.SlackHttpClientName"/>. The webhook URL is never logged.
/// </remarks>
public sealed class SlackNotificationSink : INotificationSink
{
    private readonly Uri _url;
    private readonly HttpNotificationSender _sender;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="httpClientFactory">Creates the <see cref="NotificationConstants.SlackHttpClientName"/> client.</param>
    /// <param name="options">The options; validated at start.</param>
    /// <param name="clock">The clock (for <c>Retry-After</c> dates).</param>
    /// <param name="logger">The logger for retries and deliveries.</param>
    /// <exception cref="OptionsValidationException">The options are not valid.</exception>
    public SlackNotificationSink(IHttpClientFactory httpClientFactory, IOptions<SlackNotificationOptions> options, IClock clock, ILogger<SlackNotificationSink> logger)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        var value = options.Value;
        var validation = new NotificationOptionsValidator().Validate(Options.DefaultName, value);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(SlackNotificationOptions), validation.Failures);
        }

        _url = value.Url!;
        _sender = new HttpNotificationSender(Name, NotificationConstants.SlackHttpClientName, value, httpClientFactory, clock, logger);
    }

    /// <inheritdoc />
    public string Name => "slack";

    /// <inheritdoc />
    /// <exception cref="NotificationDeliveryException">The event could not be delivered (after retries, where the failure was transient).</exception>
    public async ValueTask SendAsync(NotificationEvent notificationEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notificationEvent);
        var deliveryId = Guid.NewGuid().ToString("D");
        var body = SlackPayload.Write(notificationEvent);
        await _sender.SendAsync(notificationEvent, deliveryId, () => CreateRequest(body), cancellationToken).ConfigureAwait(false);
    }

    private HttpRequestMessage CreateRequest(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return new HttpRequestMessage(HttpMethod.Post, _url) { Content = content };
    }
}
