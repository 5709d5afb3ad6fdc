using System.Globalization;
using System.Net.Http.Headers;

namespace IronCage.Verification;

/// <summary>
/// The limits a provider reported for the key in its answer's rate-limit headers, as the provider counts them (its own
/// window: per minute for most, requests per day for Groq). Read from the OpenAI family (<c>x-ratelimit-limit-requests</c>,
/// <c>x-ratelimit-limit-tokens</c> and their <c>-remaining-</c> counterparts: OpenAI, Azure OpenAI, Groq, xAI, DeepSeek),
/// Anthropic (<c>anthropic-ratelimit-requests-limit</c>, <c>anthropic-ratelimit-tokens-limit</c>, …) and Mistral
/// (<c>x-ratelimit-limit-req-minute</c>, <c>x-ratelimit-limit-tokens-minute</c>, …).
/// </summary>
public sealed record ProviderRateLimits
{
    private static readonly (string Family, string RequestLimit, string RequestsRemaining, string TokenLimit, string TokensRemaining)[] Families =
    [
        ("openai", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens"),
        ("anthropic", "anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-remaining", "anthropic-ratelimit-tokens-limit", "anthropic-ratelimit-tokens-remaining"),
        ("mistral", "x-ratelimit-limit-req-minute", "x-ratelimit-remaining-req-minute", "x-ratelimit-limit-tokens-minute", "x-ratelimit-remaining-tokens-minute"),
    ];

    /// <summary>Gets how many requests the key may make in the provider's window, if reported.</summary>
    public long? RequestLimit { get; init; }

    /// <summary>Gets how many requests are left in the current window, if reported.</summary>
    public long? RequestsRemaining { get; init; }

    /// <summary>Gets how many tokens the key may use in the provider's window, if reported.</summary>
    public long? TokenLimit { get; init; }

    /// <summary>Gets how many tokens are left in the current window, if reported.</summary>
    public long? TokensRemaining { get; init; }

    /// <summary>Reads the limits from an answer's headers.</summary>
    /// <param name="headers">The response headers.</param>
    /// <returns>The limits, or <see langword="null"/> when the answer carries none of the known headers (or only values that are not whole numbers).</returns>
    public static ProviderRateLimits? FromHeaders(HttpResponseHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        foreach (var family in Families)
        {
            var limits = new ProviderRateLimits
            {
                RequestLimit = Read(headers, family.RequestLimit),
                RequestsRemaining = Read(headers, family.RequestsRemaining),
                TokenLimit = Read(headers, family.TokenLimit),
                TokensRemaining = Read(headers, family.TokensRemaining),
            };
            if (limits.RequestLimit is not null || limits.RequestsRemaining is not null || limits.TokenLimit is not null || limits.TokensRemaining is not null)
            {
                return limits;
            }
        }

        return null;
    }

    // A negative or unparsable value (Azure answers -1 on some APIs) is no information, not a limit.
    private static long? Read(HttpResponseHeaders headers, string name)
        => headers.TryGetValues(name, out var values)
            && long.TryParse(values.FirstOrDefault()?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
