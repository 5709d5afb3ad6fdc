using IronCage.Providers;

namespace IronCage.Verification;

/// <summary>Per-call settings for <see cref="IKeyVerifier.VerifyAsync(ProviderId, SecretValue, KeyVerificationOptions, CancellationToken)"/> and <see cref="ICatalogKeyVerifier.VerifyAsync"/>.</summary>
public sealed class KeyVerificationOptions
{
    /// <summary>Gets the kind of key being verified; admin keys use the provider's admin verify call.</summary>
    /// <value>The default value is <see cref="KeyKind.Inference"/>.</value>
    public KeyKind Kind { get; init; } = KeyKind.Inference;

    /// <summary>Gets values for the verify URL's placeholders, usually the managed key's scope (for example <c>endpoint</c> for Azure, <c>region</c> for Bedrock).</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>Gets a base address that replaces the provider's scheme, host and port (an emulator or a proxy); <see langword="null"/> uses <see cref="IronCageOptions.ProviderBaseAddresses"/> or the provider's own.</summary>
    public Uri? BaseAddress { get; init; }
}
