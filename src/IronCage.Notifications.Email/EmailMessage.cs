using System.Globalization;
using System.Text;
using System.Text.Json;
using MimeKit;
using NodaTime;

namespace IronCage.Notifications;

/// <summary>
/// Writes the message of an email delivery: a subject with the severity, type and key; a plain-text body with the
/// description, the common fields, the event type's own fields (those of its webhook payload) and the console link.
/// Never a secret: events carry none, and nothing else is written.
/// </summary>
internal static class EmailMessage
{
    private static readonly HashSet<string> CommonFields = ["id", "type", "severity", "key", "operationId", "occurredAt", "message", "consoleUrl"];

    public static MimeMessage Create(NotificationEvent notificationEvent, string deliveryId, EmailNotificationOptions options, Instant now)
    {
        var message = new MimeMessage
        {
            Subject = Subject(notificationEvent, options.SubjectPrefix),
            Date = now.ToDateTimeOffset(),
            MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(Domain(options.From!)),
            Priority = notificationEvent.Severity == EventSeverity.Critical ? MessagePriority.Urgent : MessagePriority.Normal,
            Body = new TextPart("plain") { Text = Body(notificationEvent, deliveryId) },
        };
        message.From.Add(MailboxAddress.Parse(options.From!));
        foreach (var to in options.To)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        message.Headers.Add(EmailNotificationConstants.EventHeader, notificationEvent.Type);
        message.Headers.Add(EmailNotificationConstants.DeliveryHeader, deliveryId);

        // RFC 3834: machine-written, so vacation responders and ticket systems do not answer it.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        return message;
    }

    public static string Subject(NotificationEvent notificationEvent, string prefix)
    {
        var severity = notificationEvent.Severity.ToString();
        var subject = $"{severity}: {notificationEvent.Type} for {notificationEvent.Key}";
        return string.IsNullOrWhiteSpace(prefix) ? subject : $"{prefix.Trim()} {subject}";
    }

    public static string Body(NotificationEvent notificationEvent, string deliveryId)
    {
        var text = new StringBuilder();
        text.AppendLine(notificationEvent.Describe()).AppendLine();
        Field(text, "Event", notificationEvent.Type);
        Field(text, "Severity", WebhookPayload.Name(notificationEvent.Severity));
        Field(text, "Key", notificationEvent.Key.ToString());
        Field(text, "Occurred", WebhookPayload.Iso(notificationEvent.OccurredAt));
        if (notificationEvent.OperationId is { } operation)
        {
            Field(text, "Operation", operation);
        }

        if (WebhookPayload.Url(notificationEvent.ConsoleUrl) is { } console)
        {
            Field(text, "Act at", console);
        }

        var details = Details(notificationEvent, deliveryId);
        if (details.Count > 0)
        {
            text.AppendLine().AppendLine("Details");
            foreach (var (name, value) in details)
            {
                Field(text, "  " + name, value, 22);
            }
        }

        text.AppendLine().Append(CultureInfo.InvariantCulture, $"Delivery {deliveryId}, sent by IronCage. Messages from IronCage never contain a key.").AppendLine();
        return text.ToString();
    }

    /// <summary>The event type's own fields, as its webhook payload carries them.</summary>
    private static List<(string Name, string Value)> Details(NotificationEvent notificationEvent, string deliveryId)
    {
        var details = new List<(string, string)>();
        using var payload = JsonDocument.Parse(WebhookPayload.Write(notificationEvent, deliveryId));
        foreach (var property in payload.RootElement.EnumerateObject())
        {
            if (CommonFields.Contains(property.Name) || property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var value = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Object or JsonValueKind.Array => property.Value.GetRawText(),
                _ => property.Value.ToString(),
            };
            details.Add((property.Name, value));
        }

        return details;
    }

    private static void Field(StringBuilder text, string name, string value, int width = 11)
        => text.Append(name.PadRight(width)).AppendLine(value.ReplaceLineEndings(" "));

    private static string Domain(string from)
    {
        var address = MailboxAddress.Parse(from).Address;
        var at = address.LastIndexOf('@');
        return at >= 0 && at < address.Length - 1 ? address[(at + 1)..] : "ironcage.local";
    }
}
