using System.Text.Json;
using IronCage.Leaks.Scanning;
using IronCage.Notifications;

namespace IronCage.Leaks.Response;

/// <summary>
/// A key was found exposed (<c>key.leaked</c>). <see cref="NotificationEvent.Key"/> is the managed key, or
/// <c>&lt;provider&gt;/unmanaged</c> for a key IronCage does not manage; <see cref="NotificationEvent.ConsoleUrl"/>
/// is where to revoke it by hand.
/// </summary>
public sealed record KeyLeakedEvent : NotificationEvent
{
    /// <summary>Gets the masked hint of the leaked value.</summary>
    public required string Hint { get; init; }

    /// <summary>Gets where it was found.</summary>
    public required LeakLocation Location { get; init; }

    /// <summary>Gets who reported it (<c>scan</c>, <c>git-history</c>, <c>github-secret-scanning</c>, <c>trufflehog</c>, ...).</summary>
    public required string Source { get; init; }

    /// <summary>Gets what the value is to IronCage.</summary>
    public required LeakClassification Classification { get; init; }

    /// <summary>Gets what the responder did.</summary>
    public required LeakResponseOutcome Outcome { get; init; }

    /// <inheritdoc />
    public override string Type => "key.leaked";

    /// <inheritdoc />
    public override EventSeverity Severity => Classification == LeakClassification.Retired ? EventSeverity.Info : EventSeverity.Critical;

    /// <inheritdoc />
    public override string Describe() => Classification == LeakClassification.Unknown
        ? $"A {Key.Provider} key IronCage does not manage ({Hint}) was found at {Location} by {Source}. Revoke it in the provider's console: {PayloadUrl(ConsoleUrl)}"
        : $"The {Classification} version of {Key} ({Hint}) was found at {Location} by {Source}: {Outcome}.";

    /// <inheritdoc />
    protected override void WritePayloadFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("hint", Hint);
        writer.WriteString("location", Location.ToString());
        writer.WriteString("source", Source);
        writer.WriteString("classification", PayloadName(Classification));
        writer.WriteString("outcome", PayloadName(Outcome));
    }
}
