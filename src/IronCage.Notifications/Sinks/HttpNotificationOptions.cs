namespace IronCage.Notifications;

/// <summary>What the sinks that POST over HTTP (<see cref="WebhookNotificationSink"/>, <see cref="SlackNotificationSink"/>) share: where, how long, how often.</summary>
/// <remarks>
/// The outbox delivers in the background, so a receiver that is down never delays a rotation. One delivery takes at
/// most (<see cref="MaxRetries"/> + 1) × <see cref="Timeout"/> plus the delays between attempts, and it must fit in
/// <see cref="NotificationOutboxOptions.DeliveryTimeout"/> (1 minute by default; about 47 seconds are needed at these
/// defaults). A delivery that fails for good throws <see cref="NotificationDeliveryException"/>, which the outbox logs
/// and does not retry again.
/// </remarks>
public abstract class HttpNotificationOptions
{
    /// <summary>
    /// Gets or sets where events are POSTed: an absolute <c>https</c> URL (<c>http</c> only to a loopback address, with
    /// <see cref="AllowPrivateNetwork"/>). Loopback, private, link-local and cloud-metadata targets are refused unless
    /// <see cref="AllowPrivateNetwork"/> is set.
    /// </summary>
    /// <value>The default value is <see langword="null"/>, which fails validation at start.</value>
    public Uri? Url { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether <see cref="Url"/> may point at the host's own network: loopback
    /// (<c>127.0.0.0/8</c>, <c>::1</c>, <c>localhost</c>), private ranges (<c>10/8</c>, <c>172.16/12</c>,
    /// <c>192.168/16</c>, <c>fc00::/7</c>), link-local (<c>169.254/16</c> with the cloud metadata services,
    /// <c>fe80::/10</c>), <c>0.0.0.0</c>, metadata host names (<c>metadata.google.internal</c>) and private-use names
    /// (<c>.internal</c>, <c>.local</c>). Without it such a URL fails validation at start, and a host name that resolves
    /// to such an address is not connected to when a delivery is sent.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: a changed configuration cannot aim deliveries at internal services.</value>
    /// <remarks>Set it per sink, only for a receiver that really runs inside your network (or a test's loopback server).</remarks>
    public bool AllowPrivateNetwork { get; set; }

    /// <summary>Gets or sets the timeout of one attempt.</summary>
    /// <value>The default value is 10 seconds (<see cref="NotificationConstants.DefaultTimeout"/>).</value>
    public TimeSpan Timeout { get; set; } = NotificationConstants.DefaultTimeout;

    /// <summary>
    /// Gets or sets how many times a delivery is retried after a transient failure (a 5xx, 408 or 429 answer, a network
    /// error or a timeout); 0 turns retries off. Other answers, 4xx and redirects, are never retried.
    /// </summary>
    /// <value>The default value is 3 (<see cref="NotificationConstants.DefaultMaxRetries"/>).</value>
    public int MaxRetries { get; set; } = NotificationConstants.DefaultMaxRetries;

    /// <summary>Gets or sets the base delay before the first retry; it doubles with each retry, with jitter, up to <see cref="MaxRetryDelay"/>.</summary>
    /// <value>The default value is 1 second (<see cref="NotificationConstants.DefaultRetryDelay"/>).</value>
    public TimeSpan RetryDelay { get; set; } = NotificationConstants.DefaultRetryDelay;

    /// <summary>
    /// Gets or sets the longest delay between two attempts. A receiver's <c>Retry-After</c> is honoured; when it asks for
    /// a longer wait than this, the delivery gives up instead of holding up the sink's queue.
    /// </summary>
    /// <value>The default value is 30 seconds (<see cref="NotificationConstants.DefaultMaxRetryDelay"/>).</value>
    public TimeSpan MaxRetryDelay { get; set; } = NotificationConstants.DefaultMaxRetryDelay;
}
