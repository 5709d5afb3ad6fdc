using IronCage.Verification;

namespace IronCage.Providers.Http;

/// <summary>A <see cref="ProviderRequestException"/> built from a classified answer; it keeps the classification (verification turns it back into a result).</summary>
public sealed class ClassifiedProviderRequestException : ProviderRequestException
{
    /// <summary>Initializes the exception from a classification.</summary>
    /// <param name="classification">The answer's classification; its message is already scrubbed.</param>
    /// <param name="message">The message, which never contains a secret.</param>
    public ClassifiedProviderRequestException(ProviderResponseClassification classification, string message)
        : base((classification ?? throw new ArgumentNullException(nameof(classification))).Provider, classification.Kind ?? ProviderErrorKind.Unknown, message)
    {
        Classification = classification;
        StatusCode = classification.StatusCode;
        ProviderErrorCode = classification.ProviderErrorCode;
        RequestId = classification.RequestId;
        RetryAfter = classification.RetryAfter;
        IsAmbiguous = classification.IsAmbiguous;
        AlternativeKind = classification.AlternativeKind;
    }

    /// <summary>Gets the classification of the answer.</summary>
    public ProviderResponseClassification Classification { get; }
}
