using System.Buffers;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace IronCage.Notifications;

/// <summary>Writes the JSON body of a webhook delivery: the common fields, then the event type's own (<see cref="NotificationEvent.WritePayloadFields"/>).</summary>
internal static class WebhookPayload
{
    public static byte[] Write(NotificationEvent notificationEvent, string deliveryId)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", deliveryId);
            json.WriteString("type", notificationEvent.Type);
            json.WriteString("severity", Name(notificationEvent.Severity));
            json.WriteString("key", notificationEvent.Key.ToString());
            json.WriteString("operationId", notificationEvent.OperationId);
            json.WriteString("occurredAt", Iso(notificationEvent.OccurredAt));
            json.WriteString("message", notificationEvent.Describe());
            if (notificationEvent.ConsoleUrl is not null)
            {
                json.WriteString("consoleUrl", Url(notificationEvent.ConsoleUrl));
            }

            notificationEvent.WritePayloadFields(json);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes an enum value as it appears in payloads: snake_case (<c>slot_alternating</c>).</summary>
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum
        => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static string Iso(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    public static string? Url(Uri? url) => url is null ? null : url.IsAbsoluteUri ? url.AbsoluteUri : url.OriginalString;

    /// <summary>Gets where a person acts on the event, when it has such a place.</summary>
    public static Uri? ConsoleUrl(NotificationEvent notificationEvent) => notificationEvent.ConsoleUrl;
}
