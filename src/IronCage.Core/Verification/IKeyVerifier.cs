using IronCage.Providers;

namespace IronCage.Verification;

/// <summary>
/// Proves a key works by running its provider's verify call (<see cref="ProviderDescriptor.VerifyCall"/>) and
/// classifying the answer. Works for every provider in the catalog, including those without an adapter package.
/// </summary>
public interface IKeyVerifier
{
    /// <summary>Verifies a key with an authenticated call that costs nothing.</summary>
    /// <param name="provider">The key's provider.</param>
    /// <param name="key">The key.</param>
    /// <param name="options">Key kind, scope values for the URL template, and a base-address override.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The outcome: valid, or the classified reason it is not (invalid, forbidden, rate limited with retry-after,
    /// quota exhausted, or transient when the provider could not be reached).
    /// </returns>
    /// <exception cref="UnknownProviderException">The provider is not in the catalog.</exception>
    /// <exception cref="NotSupportedByProviderException">The provider has no free verification call for this key kind.</exception>
    /// <exception cref="KeyFormatException">The value is empty, a placeholder, holds whitespace, or is another provider's key or the other kind of key: it is not sent.</exception>
    /// <exception cref="IronCageException">The verify URL needs a scope value that was not given, or one that would send the key to another host or over plain http.</exception>
    Task<KeyVerificationResult> VerifyAsync(ProviderId provider, SecretValue key, KeyVerificationOptions? options = null, CancellationToken cancellationToken = default);
}
