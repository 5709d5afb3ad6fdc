using NodaTime;

namespace IronCage.Usage;

/// <summary>
/// One call through a managed key as the runtime path observed it: tokens in and out, and whether it failed. A value
/// type so that <see cref="IUsageRecorder.Record"/> can take it without allocating.
/// </summary>
/// <param name="Key">The managed key the call used.</param>
/// <param name="Timestamp">When the call finished.</param>
/// <param name="Model">The model the call named, when known; prices are per model.</param>
/// <param name="InputTokens">Prompt (input) tokens the provider reported, or 0.</param>
/// <param name="OutputTokens">Completion (output) tokens the provider reported, or 0.</param>
/// <param name="Error">The classified error when the call failed; <see langword="null"/> for a success.</param>
/// <param name="VersionId">The key version that served the call, when known.</param>
public readonly record struct UsageSample(
    KeyReference Key,
    Instant Timestamp,
    string? Model,
    long InputTokens,
    long OutputTokens,
    ProviderErrorKind? Error = null,
    string? VersionId = null)
{
    /// <summary>Gets a value indicating whether the call failed.</summary>
    public bool IsError => Error.HasValue;
}
