using System.Globalization;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace IronCage.Providers.Http;

/// <summary>Reads provider JSON by wire name, tolerating absent and null members.</summary>
public static class ProviderJson
{
    /// <summary>The string member <paramref name="name"/>, or <see langword="null"/>.</summary>
    /// <param name="element">An object.</param>
    /// <param name="name">The member's wire name.</param>
    /// <returns>The value.</returns>
    public static string? GetStringOrNull(this JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The string member <paramref name="name"/>; its absence means the provider's API changed.</summary>
    /// <param name="element">An object.</param>
    /// <param name="name">The member's wire name.</param>
    /// <param name="provider">The provider, for the message.</param>
    /// <returns>The value.</returns>
    /// <exception cref="IronCageException">The member is missing.</exception>
    public static string GetRequiredString(this JsonElement element, string name, ProviderId provider)
        => element.GetStringOrNull(name) ?? throw new IronCageException($"{provider} answered without the '{name}' field IronCage needs; the provider's API may have changed. Report it with the provider's request id.");

    /// <summary>The integer member <paramref name="name"/>, or <see langword="null"/>.</summary>
    /// <param name="element">An object.</param>
    /// <param name="name">The member's wire name.</param>
    /// <returns>The value.</returns>
    public static long? GetInt64OrNull(this JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    /// <summary>The number member <paramref name="name"/>, or <see langword="null"/>.</summary>
    /// <param name="element">An object.</param>
    /// <param name="name">The member's wire name.</param>
    /// <returns>The value.</returns>
    public static decimal? GetDecimalOrNull(this JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number) ? number : null;

    /// <summary>The boolean member <paramref name="name"/>, or <see langword="null"/>.</summary>
    /// <param name="element">An object.</param>
    /// <param name="name">The member's wire name.</param>
    /// <returns>The value.</returns>
    public static bool? GetBooleanOrNull(this JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    /// <summary>The object member <paramref name="name"/>, or <see langword="null"/>.</summary>
    /// <param name="element">An object.</param>
    /// <param name="name">The member's wire name.</param>
    /// <returns>The value.</returns>
    public static JsonElement? GetObjectOrNull(this JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    /// <summary>The items of the array member <paramref name="name"/>; none when it is absent.</summary>
    /// <param name="element">An object, or <see langword="null"/>.</param>
    /// <param name="name">The member's wire name.</param>
    /// <returns>The items.</returns>
    public static IEnumerable<JsonElement> EnumerateArrayOrEmpty(this JsonElement? element, string name)
        => element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];

    /// <summary>The member <paramref name="name"/> read as Unix seconds, or <see langword="null"/>.</summary>
    /// <param name="element">An object.</param>
    /// <param name="name">The member's wire name.</param>
    /// <returns>The instant.</returns>
    public static Instant? GetUnixSecondsOrNull(this JsonElement element, string name)
        => element.GetInt64OrNull(name) is { } seconds ? Instant.FromUnixTimeSeconds(seconds) : null;

    /// <summary>The member <paramref name="name"/> read as an ISO 8601 timestamp, or <see langword="null"/>.</summary>
    /// <param name="element">An object.</param>
    /// <param name="name">The member's wire name.</param>
    /// <returns>The instant.</returns>
    public static Instant? GetTimestampOrNull(this JsonElement element, string name)
        => element.GetStringOrNull(name) is { } text && InstantPattern.ExtendedIso.Parse(text) is { Success: true } parsed ? parsed.Value
            : element.GetStringOrNull(name) is { } other && DateTimeOffset.TryParse(other, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var offset) ? Instant.FromDateTimeOffset(offset) : null;

    /// <summary>An RFC 3339 UTC timestamp such as <c>2026-11-01T09:00:00Z</c>.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns>The text.</returns>
    public static string Format(Instant instant) => InstantPattern.General.Format(instant);

    /// <summary>Escapes a path segment (ids come from callers and providers).</summary>
    /// <param name="value">The segment.</param>
    /// <returns>The escaped segment.</returns>
    public static string Segment(string value) => Uri.EscapeDataString(value);
}
