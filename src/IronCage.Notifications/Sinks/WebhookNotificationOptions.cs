namespace IronCage.Notifications;

/// <summary>Configures <see cref="WebhookNotificationSink"/>: the receiver's URL and the secret deliveries are signed with.</summary>
public sealed class WebhookNotificationOptions : HttpNotificationOptions
{
    /// <summary>
    /// Gets or sets the secret shared with the receiver, at least <see cref="NotificationConstants.MinSecretLength"/>
    /// characters; every delivery is signed with it (see <see cref="WebhookSignature"/>). It is never logged.
    /// </summary>
    /// <value>The default value is <see langword="null"/>, which fails validation at start.</value>
    public string? Secret { get; set; }
}
