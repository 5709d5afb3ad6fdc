namespace IronCage.Notifications;

/// <summary>Defaults of <see cref="EmailNotificationSink"/>.</summary>
public static class EmailNotificationConstants
{
    /// <summary>The default SMTP port of <see cref="EmailNotificationOptions.Port"/>: 587, the submission port.</summary>
    public const int DefaultPort = 587;

    /// <summary>The default <see cref="EmailNotificationOptions.SubjectPrefix"/>.</summary>
    public const string DefaultSubjectPrefix = "[IronCage]";

    /// <summary>The header that carries the event type (as <see cref="NotificationConstants.EventHeader"/> on webhook deliveries).</summary>
    public const string EventHeader = NotificationConstants.EventHeader;

    /// <summary>The header that carries the delivery id, the same on every attempt of one delivery.</summary>
    public const string DeliveryHeader = NotificationConstants.DeliveryHeader;
}
