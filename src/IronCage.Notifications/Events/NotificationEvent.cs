using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace IronCage.Notifications;

/// <summary>
/// Something that happened to a managed key that people or systems outside the process should hear about: the base of
/// every event IronCage publishes (rotation events, usage alerts, …) through <see cref="INotificationPublisher"/> to the
/// <see cref="INotificationSink"/>s. Never carries a secret.
/// </summary>
/// <remarks>
/// A package adds its own events by deriving from this record: it names the event (<see cref="Type"/>), rates it
/// (<see cref="Severity"/>), describes it for people (<see cref="Describe"/>) and writes its own fields into webhook
/// payloads (<see cref="WritePayloadFields"/>).
/// </remarks>
public abstract record NotificationEvent
{
    /// <summary>Gets the managed key.</summary>
    public required KeyReference Key { get; init; }

    /// <summary>Gets when it happened.</summary>
    public required Instant OccurredAt { get; init; }

    /// <summary>Gets the operation it belongs to (a rotation, for example), if any.</summary>
    public string? OperationId { get; init; }

    /// <summary>Gets where a person acts on the event at the provider (revoke or create a key by hand), when there is such a place.</summary>
    public Uri? ConsoleUrl { get; init; }

    /// <summary>Gets the event's type name, as written to webhooks (<c>rotation.completed</c>, <c>usage.limit_reached</c>, …).</summary>
    public abstract string Type { get; }

    /// <summary>Gets how urgent it is.</summary>
    public abstract EventSeverity Severity { get; }

    /// <summary>Describes the event in one sentence for people.</summary>
    /// <returns>The sentence.</returns>
    public abstract string Describe();

    /// <summary>
    /// Writes the event type's own fields (after the common <c>id</c>, <c>type</c>, <c>severity</c>, <c>key</c>,
    /// <c>operationId</c>, <c>occurredAt</c> and <c>message</c>) into the JSON object of a webhook delivery: camelCase
    /// names, enum values in snake_case (<see cref="PayloadName{TEnum}(TEnum)"/>), instants in ISO-8601 UTC
    /// (<see cref="PayloadInstant(Instant)"/>). Never a secret.
    /// </summary>
    /// <param name="writer">The writer, positioned inside the delivery's JSON object.</param>
    /// <remarks>The base writes nothing.</remarks>
    protected internal virtual void WritePayloadFields(Utf8JsonWriter writer)
    {
    }

    /// <summary>Formats an enum value as payloads write it: snake_case (<c>slot_alternating</c>).</summary>
    /// <typeparam name="TEnum">The enum type.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>The snake_case name.</returns>
    protected static string PayloadName<TEnum>(TEnum value)
        where TEnum : struct, Enum
        => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>Formats an instant as payloads write it: ISO-8601 UTC (<c>2026-11-01T09:00:00Z</c>).</summary>
    /// <param name="instant">The instant.</param>
    /// <returns>The text.</returns>
    protected static string PayloadInstant(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    /// <summary>Formats a URL as payloads write it (absolute URLs in their escaped form).</summary>
    /// <param name="url">The URL, or <see langword="null"/>.</param>
    /// <returns>The text, or <see langword="null"/>.</returns>
    protected static string? PayloadUrl(Uri? url) => url is null ? null : url.IsAbsoluteUri ? url.AbsoluteUri : url.OriginalString;
}
