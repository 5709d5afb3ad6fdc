namespace IronCage.Providers;

/// <summary>
/// One provider quirk, as data: when a response matches every condition that is set, it is classified as
/// <see cref="Kind"/> (for example Gemini's 400 with reason <c>API_KEY_INVALID</c> is an invalid key, and
/// Cohere's 200 with <c>"valid": false</c> is too). Rules are checked in order before the status-code defaults.
/// </summary>
public sealed class ResponseRule
{
    /// <summary>Creates a rule.</summary>
    /// <param name="kind">The classification a matching response gets.</param>
    /// <param name="explanation">Why, in words; shown in messages and docs.</param>
    public ResponseRule(ProviderErrorKind kind, string explanation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(explanation);
        Kind = kind;
        Explanation = explanation;
    }

    /// <summary>Gets the classification a matching response gets.</summary>
    public ProviderErrorKind Kind { get; }

    /// <summary>Gets why the rule exists, in words.</summary>
    public string Explanation { get; }

    /// <summary>Gets the HTTP status the response must have, or <see langword="null"/> for any.</summary>
    public int? StatusCode { get; init; }

    /// <summary>
    /// Gets a provider error code the response must carry (compared case-insensitively with <c>error.code</c>,
    /// <c>error.type</c>, <c>error.status</c>, each <c>error.details[].reason</c>, and AWS's <c>x-amzn-ErrorType</c>).
    /// </summary>
    public string? ErrorCode { get; init; }

    /// <summary>Gets text the provider's error message must contain (case-insensitive).</summary>
    public string? MessageContains { get; init; }

    /// <summary>Gets a JSON property of the body to test, together with <see cref="JsonValue"/>: a name, or a dot-separated path such as <c>data.is_management_key</c>.</summary>
    public string? JsonProperty { get; init; }

    /// <summary>Gets the raw JSON value <see cref="JsonProperty"/> must have (<c>false</c>, <c>true</c>, a number, or a string without quotes).</summary>
    public string? JsonValue { get; init; }

    /// <summary>Gets a value indicating whether this answer can also mean <see cref="AlternativeKind"/> and the provider gives no way to tell.</summary>
    public bool IsAmbiguous { get; init; }

    /// <summary>Gets the other classification an ambiguous answer may mean.</summary>
    public ProviderErrorKind? AlternativeKind { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "any"} {ErrorCode ?? JsonProperty ?? MessageContains} → {Kind}";
}
