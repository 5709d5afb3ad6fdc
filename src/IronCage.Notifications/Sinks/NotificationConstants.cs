using NodaTime;

namespace IronCage.Notifications;

/// <summary>Defaults and well-known names of IronCage's notification sinks.</summary>
public static class NotificationConstants
{
    /// <summary>
    /// The name of the <see cref="HttpClient"/> the webhook sink uses; add handlers with
    /// <c>AddHttpClient(NotificationConstants.WebhookHttpClientName)</c>.
    /// </summary>
    public const string WebhookHttpClientName = "IronCage.Notifications.Webhook";

    /// <summary>The host of Slack's incoming webhooks; <see cref="HttpNotificationOptions.Url"/> of <see cref="SlackNotificationOptions"/> must point at it unless <see cref="SlackNotificationOptions.AllowAnyHost"/> is set.</summary>
    public const string SlackWebhookHost = "hooks.slack.com";

    /// <summary>The name of the <see cref="HttpClient"/> the Slack sink uses.</summary>
    public const string SlackHttpClientName = "IronCage.Notifications.Slack";

    /// <summary>The header that carries the event type, for example <c>rotation.completed</c>.</summary>
    public const string EventHeader = "X-IronCage-Event";

    /// <summary>The header that repeats the delivery id (the body's <c>id</c>, which is signed); it is the same on every attempt of one delivery. Deduplicate on the signed body's <c>id</c>, not on this header.</summary>
    public const string DeliveryHeader = "X-IronCage-Delivery";

    /// <summary>The header that carries the time of the attempt in Unix seconds; it is signed with the body.</summary>
    public const string TimestampHeader = "X-IronCage-Timestamp";

    /// <summary>The header that carries the signature, <c>sha256=&lt;lowercase hex&gt;</c> (see <see cref="WebhookSignature"/>).</summary>
    public const string SignatureHeader = "X-IronCage-Signature";

    /// <summary>The prefix of the signature header's value, which names the algorithm.</summary>
    public const string SignaturePrefix = "sha256=";

    /// <summary>The shortest webhook signing secret accepted.</summary>
    public const int MinSecretLength = 16;

    /// <summary>The default number of retries after a transient failure.</summary>
    public const int DefaultMaxRetries = 3;

    /// <summary>The most retries that can be configured.</summary>
    public const int MaxMaxRetries = 10;

    /// <summary>Gets the default timeout of one attempt: 10 seconds.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the longest timeout of one attempt that can be configured: 5 minutes.</summary>
    public static TimeSpan MaxTimeout { get; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets the default base delay before the first retry: 1 second. Later retries back off exponentially, with jitter.</summary>
    public static TimeSpan DefaultRetryDelay { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the default longest delay between two attempts: 30 seconds.</summary>
    public static TimeSpan DefaultMaxRetryDelay { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the default age (either way) beyond which a receiver rejects a signed delivery: 5 minutes.</summary>
    public static Duration DefaultSignatureTolerance { get; } = Duration.FromMinutes(5);
}
