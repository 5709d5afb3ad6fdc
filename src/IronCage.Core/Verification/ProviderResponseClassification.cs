using System.Globalization;

namespace IronCage.Verification;

/// <summary>What a provider's answer means, after its quirks are applied (see <see cref="ProviderResponseClassifier"/>).</summary>
public sealed class ProviderResponseClassification
{
    /// <summary>Creates a classification.</summary>
    /// <param name="provider">The provider that answered.</param>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <param name="kind">The error kind, or <see langword="null"/> when the answer is a success.</param>
    public ProviderResponseClassification(ProviderId provider, int statusCode, ProviderErrorKind? kind)
    {
        Provider = provider;
        StatusCode = statusCode;
        Kind = kind;
    }

    /// <summary>Gets the provider that answered.</summary>
    public ProviderId Provider { get; }

    /// <summary>Gets the limits the answer's rate-limit headers report for the key, if it carries any.</summary>
    public ProviderRateLimits? RateLimits { get; init; }

    /// <summary>Gets the organization the provider says the request ran under (OpenAI's <c>openai-organization</c> response header), if the answer names one.</summary>
    public string? Organization { get; init; }

    /// <summary>Gets the HTTP status code.</summary>
    public int StatusCode { get; }

    /// <summary>Gets the error kind, or <see langword="null"/> for a success.</summary>
    public ProviderErrorKind? Kind { get; }

    /// <summary>Gets a value indicating whether the answer is a success.</summary>
    public bool IsSuccess => Kind is null;

    /// <summary>Gets the provider's own error code, if any.</summary>
    public string? ProviderErrorCode { get; init; }

    /// <summary>Gets the provider's error message with anything key-like removed, if any.</summary>
    public string? Message { get; init; }

    /// <summary>Gets the provider's request id, if any.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets how long the provider asked to wait, if it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Gets a value indicating whether the answer can also mean <see cref="AlternativeKind"/>.</summary>
    public bool IsAmbiguous { get; init; }

    /// <summary>Gets the other kind an ambiguous answer may mean.</summary>
    public ProviderErrorKind? AlternativeKind { get; init; }

    /// <summary>Gets the explanation of the provider rule that decided the kind, if a rule did.</summary>
    public string? Explanation { get; init; }

    /// <summary>Turns an error classification into the exception a caller throws.</summary>
    /// <param name="operation">What was attempted, for the message (for example <c>verify key</c>).</param>
    /// <returns>The exception.</returns>
    /// <exception cref="InvalidOperationException">The classification is a success.</exception>
    public ProviderRequestException ToException(string operation)
    {
        if (Kind is not { } kind)
        {
            throw new InvalidOperationException("A successful answer has no exception.");
        }

        return new ProviderRequestException(Provider, kind, Describe(operation))
        {
            StatusCode = StatusCode,
            ProviderErrorCode = ProviderErrorCode,
            RequestId = RequestId,
            RetryAfter = RetryAfter,
            IsAmbiguous = IsAmbiguous,
            AlternativeKind = AlternativeKind,
        };
    }

    /// <summary>Describes the answer in one sentence, without secrets.</summary>
    /// <param name="operation">What was attempted.</param>
    /// <returns>The description.</returns>
    public string Describe(string operation)
    {
        var text = IsSuccess
            ? $"{Provider}: {operation} succeeded ({StatusCode})."
            : string.Create(CultureInfo.InvariantCulture, $"{Provider}: {operation} failed with {StatusCode} ({Kind}{(ProviderErrorCode is null ? string.Empty : ", " + ProviderErrorCode)}).");
        if (Message is not null)
        {
            text += $" Provider said: {Message}";
        }

        if (Explanation is not null)
        {
            text += $" {Explanation}";
        }

        if (RetryAfter is { } retryAfter)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" Retry after {retryAfter.TotalSeconds:0.###} s.");
        }

        if (RequestId is not null)
        {
            text += $" Request id: {RequestId}.";
        }

        return text;
    }

    /// <inheritdoc />
    public override string ToString() => Describe("request");
}
