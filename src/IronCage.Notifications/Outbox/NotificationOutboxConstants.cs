namespace IronCage.Notifications;

/// <summary>Defaults and limits of the notification outbox (<see cref="NotificationOutboxOptions"/>).</summary>
public static class NotificationOutboxConstants
{
    /// <summary>The default number of events each sink's queue holds: 1,024.</summary>
    public const int DefaultCapacity = 1024;

    /// <summary>The largest queue that can be configured: 1,000,000 events per sink.</summary>
    public const int MaxCapacity = 1_000_000;

    /// <summary>The default number of retries of a delivery that failed or timed out: 3.</summary>
    public const int DefaultMaxRetries = 3;

    /// <summary>The most retries that can be configured: 10.</summary>
    public const int MaxMaxRetries = 10;

    /// <summary>Gets the default time one delivery (one call of <see cref="INotificationSink.SendAsync"/>, the sink's own retries included) may take: 1 minute.</summary>
    public static TimeSpan DefaultDeliveryTimeout { get; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets the longest delivery timeout that can be configured: 1 hour.</summary>
    public static TimeSpan MaxDeliveryTimeout { get; } = TimeSpan.FromHours(1);

    /// <summary>Gets the default delay before the first retry: 1 second. It doubles with each retry, up to <see cref="DefaultMaxRetryDelay"/>.</summary>
    public static TimeSpan DefaultRetryDelay { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the default longest delay between two retries: 30 seconds.</summary>
    public static TimeSpan DefaultMaxRetryDelay { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the longest retry delay that can be configured: 1 hour.</summary>
    public static TimeSpan MaxRetryDelayLimit { get; } = TimeSpan.FromHours(1);

    /// <summary>Gets the default time the outbox keeps delivering queued events when the host stops: 10 seconds.</summary>
    public static TimeSpan DefaultDrainTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the longest drain timeout that can be configured: 5 minutes.</summary>
    public static TimeSpan MaxDrainTimeout { get; } = TimeSpan.FromMinutes(5);
}
