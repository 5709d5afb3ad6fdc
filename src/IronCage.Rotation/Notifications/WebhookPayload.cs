using System.Buffers;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace IronCage.Rotation;

/// <summary>Writes the JSON body of a webhook delivery: the common fields, then the event type's own.</summary>
internal static class WebhookPayload
{
    public static byte[] Write(RotationEvent rotationEvent, string deliveryId)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", deliveryId);
            json.WriteString("type", rotationEvent.Type);
            json.WriteString("severity", Name(rotationEvent.Severity));
            json.WriteString("key", rotationEvent.Key.ToString());
            json.WriteString("operationId", rotationEvent.OperationId);
            json.WriteString("occurredAt", Iso(rotationEvent.OccurredAt));
            json.WriteString("message", rotationEvent.Describe());
            WriteOwnFields(json, rotationEvent);
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
    public static Uri? ConsoleUrl(RotationEvent rotationEvent) => rotationEvent switch
    {
        KeyRevoked revoked => revoked.ConsoleUrl,
        RotationOverdue overdue => overdue.ConsoleUrl,
        _ => null,
    };

    private static void WriteOwnFields(Utf8JsonWriter json, RotationEvent rotationEvent)
    {
        switch (rotationEvent)
        {
            case RotationStarted started:
                json.WriteString("reason", Name(started.Reason));
                json.WriteString("tier", Name(started.Tier));
                break;
            case RotationCompleted completed:
                json.WriteString("versionId", completed.VersionId);
                json.WriteString("displayHint", completed.DisplayHint);
                break;
            case RotationFailed failed:
                json.WriteString("step", Name(failed.Step));
                json.WriteString("reason", failed.Reason);
                break;
            case KeyRevoked revoked:
                json.WriteString("versionId", revoked.VersionId);
                json.WriteBoolean("succeeded", revoked.Succeeded);
                json.WriteString("error", revoked.Error);
                json.WriteString("consoleUrl", Url(revoked.ConsoleUrl));
                break;
            case KeyExpiringSoon expiring:
                json.WriteString("versionId", expiring.VersionId);
                json.WriteString("expiresAt", Iso(expiring.ExpiresAt));
                break;
            case RotationOverdue overdue:
                json.WriteString("dueAt", Iso(overdue.DueAt));
                json.WriteNumber("reminderCount", overdue.ReminderCount);
                json.WriteString("consoleUrl", Url(overdue.ConsoleUrl));
                break;
            case KeyKilled killed:
                json.WriteString("versionId", killed.VersionId);
                break;
            case UsageAlertRaised usage:
                json.WriteString("alertKind", Name(usage.Alert.Kind));
                json.WriteString("window", Name(usage.Alert.Window));
                json.WriteString("windowStart", Iso(usage.Alert.WindowStart));
                json.WriteString("windowEnd", Iso(usage.Alert.WindowEnd));
                json.WriteString("limit", usage.Alert.Limit?.ToString());
                json.WriteNumber("value", usage.Alert.Value);
                if (usage.Alert.Threshold is { } threshold)
                {
                    json.WriteNumber("threshold", threshold);
                }

                break;
            default:
                break;
        }
    }
}
