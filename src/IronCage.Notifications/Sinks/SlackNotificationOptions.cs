namespace IronCage.Notifications;

/// <summary>Configures <see cref="SlackNotificationSink"/>.</summary>
/// <remarks>
/// Set <see cref="HttpNotificationOptions.Url"/> to the Slack app's incoming-webhook URL
/// (<c>https://hooks.slack.com/services/…</c>). That URL is a credential: anyone who has it can post to the channel, so
/// keep it with the host's secrets. IronCage never logs it.
/// </remarks>
public sealed class SlackNotificationOptions : HttpNotificationOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether <see cref="HttpNotificationOptions.Url"/> may point at a host other than
    /// Slack's incoming-webhook host <c>https://hooks.slack.com/</c> (a relay, a Slack-compatible receiver). Without it any
    /// other URL fails validation at start.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowAnyHost { get; set; }
}
