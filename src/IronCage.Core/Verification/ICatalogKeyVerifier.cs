using IronCage.Providers;

namespace IronCage.Verification;

/// <summary>
/// Runs a provider's verify call as the catalog describes it (<see cref="ProviderDescriptor.VerifyCall"/> or
/// <see cref="ProviderDescriptor.AdminVerifyCall"/>: method, URL template, auth, what each answer means) and classifies
/// the answer. Nothing else: it never asks a provider adapter.
/// </summary>
/// <remarks>
/// This is the building block an adapter calls from its own <see cref="IProviderAdapter.VerifyAsync"/> when the
/// catalog's call is right for its provider once the adapter has filled in the URL's values from the managed key's
/// scope (the Azure OpenAI data-plane endpoint, the Bedrock region). Everyone else (rotation, registration, start-up
/// checks, operator tools) calls <see cref="IKeyVerifier"/>, which picks the adapter or this verifier. An adapter that
/// called <see cref="IKeyVerifier"/> instead would be asked to verify again.
/// </remarks>
public interface ICatalogKeyVerifier
{
    /// <summary>Verifies a key with its provider's verify call from the catalog, an authenticated call that costs nothing.</summary>
    /// <param name="provider">The key's provider.</param>
    /// <param name="key">The key.</param>
    /// <param name="options">Key kind, values for the URL template, and a base-address override.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The outcome: valid, or the classified reason it is not (invalid, forbidden, rate limited with retry-after,
    /// quota exhausted, or transient when the provider could not be reached).
    /// </returns>
    /// <exception cref="UnknownProviderException">The provider is not in the catalog.</exception>
    /// <exception cref="NotSupportedByProviderException">The provider has no free verification call for this key kind.</exception>
    /// <exception cref="KeyFormatException">The value is empty, a placeholder, holds whitespace, or is another provider's key or the other kind of key: it is not sent.</exception>
    /// <exception cref="IronCageException">The verify URL needs a value that was not given, or one that would send the key to another host or over plain http.</exception>
    Task<KeyVerificationResult> VerifyAsync(ProviderId provider, SecretValue key, KeyVerificationOptions? options = null, CancellationToken cancellationToken = default);
}
