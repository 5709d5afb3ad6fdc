using IronCage.Providers;

namespace IronCage.Verification;

/// <summary>The outcome of <see cref="IKeyVerifier"/>.</summary>
public sealed class KeyVerificationResult
{
    private const string Operation = "key verification";
    private readonly ProviderResponseClassification? _classification;

    private KeyVerificationResult(ProviderId provider, ProviderErrorKind? errorKind, string message, ProviderResponseClassification? classification = null)
    {
        _classification = classification;
        Provider = provider;
        ErrorKind = errorKind;
        Message = message;
    }

    /// <summary>Gets the provider.</summary>
    public ProviderId Provider { get; }

    /// <summary>Gets a value indicating whether the provider accepted the key.</summary>
    public bool IsValid => ErrorKind is null;

    /// <summary>Gets why the key is not usable, or <see langword="null"/> when it is valid.</summary>
    public ProviderErrorKind? ErrorKind { get; }

    /// <summary>Gets the HTTP status, or <see langword="null"/> when the provider could not be reached.</summary>
    public int? StatusCode { get; private init; }

    /// <summary>Gets the provider's error code, if any.</summary>
    public string? ProviderErrorCode { get; private init; }

    /// <summary>Gets the provider's request id, if any.</summary>
    public string? RequestId { get; private init; }

    /// <summary>Gets how long the provider asked to wait (rate limits), if it said.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>Gets a value indicating whether the answer is ambiguous (see <see cref="ProviderRequestException.IsAmbiguous"/>).</summary>
    public bool IsAmbiguous { get; private init; }

    /// <summary>Gets the other kind an ambiguous answer may mean.</summary>
    public ProviderErrorKind? AlternativeKind { get; private init; }

    /// <summary>Gets the limits the provider's answer reported for the key (its rate-limit headers), if any.</summary>
    public ProviderRateLimits? RateLimits { get; private init; }

    /// <summary>Gets the organization the provider's answer says the key belongs to (OpenAI's <c>openai-organization</c> header), if it named one.</summary>
    public string? Organization { get; private init; }

    /// <summary>Gets a sentence describing the outcome; never contains the key.</summary>
    public string Message { get; }

    /// <summary>Builds a result from a classified answer.</summary>
    /// <param name="classification">The classified answer.</param>
    /// <returns>The result.</returns>
    public static KeyVerificationResult FromClassification(ProviderResponseClassification classification)
    {
        ArgumentNullException.ThrowIfNull(classification);
        return new KeyVerificationResult(classification.Provider, classification.Kind, classification.Describe(Operation), classification)
        {
            StatusCode = classification.StatusCode,
            ProviderErrorCode = classification.ProviderErrorCode,
            RequestId = classification.RequestId,
            RetryAfter = classification.RetryAfter,
            IsAmbiguous = classification.IsAmbiguous,
            AlternativeKind = classification.AlternativeKind,
            RateLimits = classification.RateLimits,
            Organization = classification.Organization,
        };
    }

    /// <summary>Builds the result for a provider that could not be reached (network failure or timeout): a transient failure.</summary>
    /// <param name="provider">The provider.</param>
    /// <param name="reason">Why, without secrets.</param>
    /// <returns>The result.</returns>
    public static KeyVerificationResult Unreachable(ProviderId provider, string reason)
        => new(provider, ProviderErrorKind.Transient, $"{provider}: key verification could not reach the provider: {reason}");

    /// <summary>
    /// Builds the result for a success status whose body is not the provider's documented answer
    /// (<see cref="ProviderErrorKind.UnexpectedAnswer"/>): neither valid nor an invalid key.
    /// </summary>
    /// <param name="provider">The provider.</param>
    /// <param name="statusCode">The HTTP status that came with the body.</param>
    /// <param name="call">The verify call, whose <see cref="VerifyCall.SuccessShapes"/> the body lacked.</param>
    /// <returns>The result.</returns>
    public static KeyVerificationResult UnexpectedAnswer(ProviderId provider, int statusCode, VerifyCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var expected = string.Join(" or ", call.SuccessShapes.Select(s => s.Description));
        return new KeyVerificationResult(provider, ProviderErrorKind.UnexpectedAnswer, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{provider}: key verification got HTTP {statusCode}, but not the answer the provider documents ({expected}); something else answered (a captive portal, a proxy or a wrong base address), so the key is neither proven valid nor invalid. Check the network path and the base address, then verify again."))
        {
            StatusCode = statusCode,
        };
    }

    /// <summary>Throws when the key is not valid.</summary>
    /// <exception cref="ProviderRequestException">The key is not valid; the exception carries the classification.</exception>
    public void EnsureValid()
    {
        if (ErrorKind is { } kind)
        {
            throw _classification?.ToException(Operation) ?? new ProviderRequestException(Provider, kind, Message);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Message;
}
