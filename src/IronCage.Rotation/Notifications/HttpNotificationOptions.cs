namespace IronCage.Rotation;

/// <summary>What the sinks that POST over HTTP (<see cref="WebhookNotificationSink"/>, <see cref="SlackNotificationSink"/>) share: where, how long, how often.</summary>
/// <remarks>
/// Sinks are awaited while the rotation runs, so a receiver that is down delays a rotation by up to
/// (<see cref="MaxRetryAttempts"/> + 1) × <see cref="Timeout"/> plus the delays between attempts; it never fails it.
/// </remarks>
public abstract class HttpNotificationOptions
{
    /// <summary>Gets or sets where events are POSTed: an absolute <c>https</c> URL (<c>http</c> only to a loopback address).</summary>
    /// <value>The default value is <see langword="null"/>, which fails validation at start.</value>
    public Uri? Url { get; set; }

    /// <summary>Gets or sets the timeout of one attempt.</summary>
    /// <value>The default value is 10 seconds (<see cref="NotificationConstants.DefaultTimeout"/>).</value>
    public TimeSpan Timeout { get; set; } = NotificationConstants.DefaultTimeout;

    /// <summary>
    /// Gets or sets how many times a delivery is retried after a transient failure (a 5xx, 408 or 429 answer, a network
    /// error or a timeout); 0 turns retries off. Other answers, 4xx and redirects, are never retried.
    /// </summary>
    /// <value>The default value is 3 (<see cref="NotificationConstants.DefaultMaxRetryAttempts"/>).</value>
    public int MaxRetryAttempts { get; set; } = NotificationConstants.DefaultMaxRetryAttempts;

    /// <summary>Gets or sets the base delay before the first retry; it doubles with each retry, with jitter, up to <see cref="MaxRetryDelay"/>.</summary>
    /// <value>The default value is 1 second (<see cref="NotificationConstants.DefaultRetryDelay"/>).</value>
    public TimeSpan RetryDelay { get; set; } = NotificationConstants.DefaultRetryDelay;

    /// <summary>
    /// Gets or sets the longest delay between two attempts. A receiver's <c>Retry-After</c> is honoured; when it asks for
    /// a longer wait than this, the delivery gives up instead of blocking the rotation.
    /// </summary>
    /// <value>The default value is 30 seconds (<see cref="NotificationConstants.DefaultMaxRetryDelay"/>).</value>
    public TimeSpan MaxRetryDelay { get; set; } = NotificationConstants.DefaultMaxRetryDelay;
}
