namespace IronCage;

/// <summary>
/// A provider answered a request with an error (or could not be reached). Carries what the provider
/// said, classified as a <see cref="ProviderErrorKind"/>.
/// </summary>
public class ProviderRequestException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="provider">The provider that answered.</param>
    /// <param name="kind">The classified error.</param>
    /// <param name="message">A message that never contains a secret.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public ProviderRequestException(ProviderId provider, ProviderErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Provider = provider;
        Kind = kind;
    }

    /// <summary>Gets the provider that answered.</summary>
    public ProviderId Provider { get; }

    /// <summary>Gets the classified error.</summary>
    public ProviderErrorKind Kind { get; }

    /// <summary>Gets the HTTP status code, or <see langword="null"/> when no answer arrived.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Gets the provider's own error code (<c>error.code</c>, <c>error.type</c>, a Google reason, an AWS code), if any.</summary>
    public string? ProviderErrorCode { get; init; }

    /// <summary>Gets the provider's request id, to quote to its support, if any.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets how long the provider asked the caller to wait, if it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// Gets a value indicating whether the provider's answer fits more than one kind (Mistral answers an
    /// invalid key and an exhausted quota with the same 401); <see cref="AlternativeKind"/> names the other.
    /// </summary>
    public bool IsAmbiguous { get; init; }

    /// <summary>Gets the other kind an ambiguous answer may mean.</summary>
    public ProviderErrorKind? AlternativeKind { get; init; }
}
