namespace IronCage.Notifications;

/// <summary>Configures <see cref="SlackNotificationSink"/>.</summary>
/// <remarks>
/// Set <see cref="HttpNotificationOptions.Url"/> to the Slack app's incoming-webhook URL
/// (<c>https://hooks.slack.com/services/…</c>). That URL is a credential: anyone who has it can post to the channel, so
/// keep it with the host's secrets. IronCage never logs it.
/// </remarks>
public sealed class SlackNotificationOptions : HttpNotificationOptions
{
}
