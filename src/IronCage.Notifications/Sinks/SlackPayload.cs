using System.Buffers;
using System.Text;
using System.Text.Json;

namespace IronCage.Notifications;

/// <summary>Writes an event as a Slack incoming-webhook message: a plain-text fallback and Block Kit sections.</summary>
internal static class SlackPayload
{
    public static byte[] Write(NotificationEvent notificationEvent)
    {
        var marker = Marker(notificationEvent.Severity);
        var key = Escape(notificationEvent.Key.ToString());
        var message = Escape(notificationEvent.Describe());
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("text", $"{marker} [IronCage] {message}");
            json.WriteStartArray("blocks");
            Section(json, $"{marker} *{Label(notificationEvent.Severity)}* · `{Escape(notificationEvent.Type)}` · *{key}*");
            Section(json, message);
            if (WebhookPayload.ConsoleUrl(notificationEvent) is { IsAbsoluteUri: true } console
                && (console.Scheme == Uri.UriSchemeHttps || console.Scheme == Uri.UriSchemeHttp))
            {
                Section(json, $"<{Escape(console.AbsoluteUri).Replace("|", "%7C", StringComparison.Ordinal)}|Open the provider console>");
            }

            json.WriteStartObject();
            json.WriteString("type", "context");
            json.WriteStartArray("elements");
            json.WriteStartObject();
            json.WriteString("type", "mrkdwn");
            json.WriteString("text", Context(notificationEvent));
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Gets the emoji that marks a severity.</summary>
    public static string Marker(EventSeverity severity) => severity switch
    {
        EventSeverity.Critical => ":rotating_light:",
        EventSeverity.Warning => ":warning:",
        _ => ":information_source:",
    };

    private static string Label(EventSeverity severity) => severity switch
    {
        EventSeverity.Critical => "Critical",
        EventSeverity.Warning => "Warning",
        _ => "Info",
    };

    private static string Context(NotificationEvent notificationEvent)
    {
        var text = new StringBuilder("IronCage · ").Append(WebhookPayload.Iso(notificationEvent.OccurredAt));
        if (notificationEvent.OperationId is { } operation)
        {
            text.Append(" · operation `").Append(Escape(operation)).Append('`');
        }

        return text.ToString();
    }

    private static void Section(Utf8JsonWriter json, string mrkdwn)
    {
        json.WriteStartObject();
        json.WriteString("type", "section");
        json.WriteStartObject("text");
        json.WriteString("type", "mrkdwn");
        json.WriteString("text", mrkdwn);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    // Slack reads &, < and > as control characters in message text; everything else is literal.
    private static string Escape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);
}
