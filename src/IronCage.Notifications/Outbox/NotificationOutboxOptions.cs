namespace IronCage.Notifications;

/// <summary>
/// Configures the outbox that delivers events to the sinks in the background. Each sink has its own bounded queue
/// and its own delivery loop, so a slow or broken sink only holds up its own events.
/// </summary>
/// <remarks>
/// <para>
/// One event costs one sink at most (<see cref="MaxRetries"/> + 1) × <see cref="DeliveryTimeout"/> plus the delays
/// between attempts (1 + 2 + 4 seconds at the defaults, so about 4 minutes in the worst case); then the sink moves on
/// to its next event. The HTTP sinks retry transient failures themselves and report a final failure with
/// <see cref="NotificationDeliveryException"/>, which the outbox does not retry again; only a delivery that timed out
/// is retried by the outbox, so one webhook event makes at most (<see cref="MaxRetries"/> + 1) ×
/// (<see cref="HttpNotificationOptions.MaxRetries"/> + 1) requests (16 at the defaults), usually 4.
/// </para>
/// <para>Delays and timeouts run on the <see cref="TimeProvider"/> registered in the container (IronCage's one time source).</para>
/// </remarks>
public sealed class NotificationOutboxOptions
{
    /// <summary>Gets or sets how many events each sink's queue holds; when it is full, <see cref="FullMode"/> decides which event is dropped.</summary>
    /// <value>The default value is 1,024 (<see cref="NotificationOutboxConstants.DefaultCapacity"/>); 1 to 1,000,000 are allowed.</value>
    public int Capacity { get; set; } = NotificationOutboxConstants.DefaultCapacity;

    /// <summary>Gets or sets which event is dropped when a sink's queue is full. Every drop is counted (<c>ironcage.notification.dropped</c>) and logged.</summary>
    /// <value>The default value is <see cref="NotificationQueueFullMode.DropOldest"/>.</value>
    public NotificationQueueFullMode FullMode { get; set; } = NotificationQueueFullMode.DropOldest;

    /// <summary>Gets or sets how long one delivery (one call of <see cref="INotificationSink.SendAsync"/>) may take before it is cancelled and counts as failed; a sink that ignores the cancellation is left behind.</summary>
    /// <value>The default value is 1 minute (<see cref="NotificationOutboxConstants.DefaultDeliveryTimeout"/>); 10 milliseconds to 1 hour are allowed.</value>
    public TimeSpan DeliveryTimeout { get; set; } = NotificationOutboxConstants.DefaultDeliveryTimeout;

    /// <summary>Gets or sets how many times a failed or timed-out delivery is retried; 0 turns retries off. A <see cref="NotificationDeliveryException"/> is final and never retried.</summary>
    /// <value>The default value is 3 (<see cref="NotificationOutboxConstants.DefaultMaxRetries"/>); 0 to 10 are allowed.</value>
    public int MaxRetries { get; set; } = NotificationOutboxConstants.DefaultMaxRetries;

    /// <summary>Gets or sets the delay before the first retry; it doubles with each retry, up to <see cref="MaxRetryDelay"/>.</summary>
    /// <value>The default value is 1 second (<see cref="NotificationOutboxConstants.DefaultRetryDelay"/>).</value>
    public TimeSpan RetryDelay { get; set; } = NotificationOutboxConstants.DefaultRetryDelay;

    /// <summary>Gets or sets the longest delay between two retries.</summary>
    /// <value>The default value is 30 seconds (<see cref="NotificationOutboxConstants.DefaultMaxRetryDelay"/>); at least <see cref="RetryDelay"/> and at most 1 hour.</value>
    public TimeSpan MaxRetryDelay { get; set; } = NotificationOutboxConstants.DefaultMaxRetryDelay;

    /// <summary>
    /// Gets or sets how long the outbox keeps delivering queued events when the host stops (or the host's own shutdown
    /// timeout, if shorter). Events still queued after it are dropped, counted and logged.
    /// </summary>
    /// <value>The default value is 10 seconds (<see cref="NotificationOutboxConstants.DefaultDrainTimeout"/>); 0 to 5 minutes are allowed.</value>
    public TimeSpan DrainTimeout { get; set; } = NotificationOutboxConstants.DefaultDrainTimeout;
}
