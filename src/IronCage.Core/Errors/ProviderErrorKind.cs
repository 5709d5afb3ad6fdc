using System.Diagnostics.CodeAnalysis;

namespace IronCage;

/// <summary>
/// The class of a provider's error answer, after each provider's quirks are taken into account
/// (Gemini answers a bad key with 400, Mistral may answer an exhausted quota with 401, ...).
/// An open set over a string, with well-known values.
/// </summary>
public readonly struct ProviderErrorKind : IEquatable<ProviderErrorKind>
{
    private readonly string? _value;

    /// <summary>Creates an error kind from its string form.</summary>
    /// <param name="value">The kind's name.</param>
    public ProviderErrorKind(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        _value = value;
    }

    /// <summary>The key is unknown, malformed, revoked or expired. Action: disable the key and rotate it.</summary>
    public static ProviderErrorKind InvalidKey { get; } = new("InvalidKey");

    /// <summary>The key is genuine but not allowed to do this (permissions, region, IP rules). Action: disable the key.</summary>
    public static ProviderErrorKind Forbidden { get; } = new("Forbidden");

    /// <summary>Too many requests for now; the answer may say when to retry. Action: cool the key down.</summary>
    public static ProviderErrorKind RateLimited { get; } = new("RateLimited");

    /// <summary>Credits, balance or spend limit exhausted. Action: disable the key until its limit resets.</summary>
    public static ProviderErrorKind QuotaExhausted { get; } = new("QuotaExhausted");

    /// <summary>The addressed resource does not exist (for example a provider-side key id).</summary>
    public static ProviderErrorKind NotFound { get; } = new("NotFound");

    /// <summary>The request conflicts with the provider's state (duplicate, limit of keys per user reached, ...).</summary>
    public static ProviderErrorKind Conflict { get; } = new("Conflict");

    /// <summary>A temporary failure: 5xx, overload, timeout, network error. Action: retry with back-off.</summary>
    public static ProviderErrorKind Transient { get; } = new("Transient");

    /// <summary>The provider rejected the request itself as malformed; retrying will not help.</summary>
    public static ProviderErrorKind BadRequest { get; } = new("BadRequest");

    /// <summary>
    /// A success status whose body is not the provider's documented answer (an HTML page, an empty body, malformed JSON,
    /// JSON of another shape): something else answered, such as a captive portal, a proxy or a wrong base address. Says
    /// nothing about the key. Action: check the network path and base address, then verify again.
    /// </summary>
    public static ProviderErrorKind UnexpectedAnswer { get; } = new("UnexpectedAnswer");

    /// <summary>An answer IronCage could not classify.</summary>
    public static ProviderErrorKind Unknown { get; } = new("Unknown");

    /// <summary>Gets the kind's name.</summary>
    public string Value => _value ?? "Unknown";

    /// <summary>Gets what IronCage does with a key that produced this kind of error.</summary>
    public KeyAction RecommendedAction => Value switch
    {
        "InvalidKey" => KeyAction.DisableAndRotate,
        "Forbidden" => KeyAction.Disable,
        "RateLimited" => KeyAction.CoolDown,
        "QuotaExhausted" => KeyAction.DisableUntilReset,
        "Transient" => KeyAction.Retry,
        _ => KeyAction.None,
    };

    /// <summary>Gets a value indicating whether retrying the same request later may succeed.</summary>
    public bool IsRetryable => Equals(Transient) || Equals(RateLimited);

    /// <summary>Compares two kinds.</summary>
    /// <param name="left">The first kind.</param>
    /// <param name="right">The second kind.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(ProviderErrorKind left, ProviderErrorKind right) => left.Equals(right);

    /// <summary>Compares two kinds.</summary>
    /// <param name="left">The first kind.</param>
    /// <param name="right">The second kind.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(ProviderErrorKind left, ProviderErrorKind right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(ProviderErrorKind other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is ProviderErrorKind other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
