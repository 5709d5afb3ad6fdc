using IronCage.Providers;

namespace IronCage.Verification;

/// <summary>
/// The one way to prove a key works: every caller (rotation, registration, start-up checks, operator tools) asks
/// here, and gets the same answer whichever provider the key belongs to, with or without an adapter package.
/// </summary>
/// <remarks>
/// <para>
/// A registered <see cref="IProviderAdapter"/> that declares <see cref="ProviderCapabilities.Verify"/> verifies the keys
/// of its provider: it knows its connection (base address, organization, the package's resilience pipeline) and reads
/// the managed key's scope (the Azure data-plane endpoint, the Bedrock region). Every other provider, including one a
/// host describes with its own <see cref="ProviderDescriptor"/> (its verify call, auth and answer meanings), is verified
/// by <see cref="ICatalogKeyVerifier"/> with the catalog's verify call and the scope as the URL's values.
/// </para>
/// <para>
/// There is no loop: adapters whose provider's catalog call is right (Azure OpenAI, Amazon Bedrock, Google Gemini) call
/// <see cref="ICatalogKeyVerifier"/>, never this interface; an adapter that calls this interface from its own
/// verification anyway is answered by the catalog verifier.
/// </para>
/// </remarks>
public interface IKeyVerifier
{
    /// <summary>Verifies a managed key's secret with an authenticated call that costs nothing.</summary>
    /// <param name="context">The managed key, its kind and its scope.</param>
    /// <param name="key">The secret.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The outcome: valid, or the classified reason it is not (invalid, forbidden, rate limited with retry-after,
    /// quota exhausted, or transient when the provider could not be reached).
    /// </returns>
    /// <exception cref="UnknownProviderException">No adapter verifies the provider and it is not in the catalog.</exception>
    /// <exception cref="NotSupportedByProviderException">The provider has no free verification call for this key kind.</exception>
    /// <exception cref="KeyFormatException">The value is empty, a placeholder, holds whitespace, or is another provider's key or the other kind of key: it is not sent.</exception>
    /// <exception cref="IronCageException">The scope lacks a value the verification needs, or holds one that would send the key to another host or over plain http.</exception>
    Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default);

    /// <summary>Verifies a key that is not (yet) a managed key, with an authenticated call that costs nothing.</summary>
    /// <param name="provider">The key's provider.</param>
    /// <param name="key">The key.</param>
    /// <param name="options">
    /// Key kind and scope values (<see cref="KeyVerificationOptions.Parameters"/>, given to an adapter as the scope). A
    /// <see cref="KeyVerificationOptions.BaseAddress"/> always means the catalog's verify call, sent there.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The outcome: valid, or the classified reason it is not (invalid, forbidden, rate limited with retry-after,
    /// quota exhausted, or transient when the provider could not be reached).
    /// </returns>
    /// <exception cref="UnknownProviderException">No adapter verifies the provider and it is not in the catalog.</exception>
    /// <exception cref="NotSupportedByProviderException">The provider has no free verification call for this key kind.</exception>
    /// <exception cref="KeyFormatException">The value is empty, a placeholder, holds whitespace, or is another provider's key or the other kind of key: it is not sent.</exception>
    /// <exception cref="IronCageException">The verification needs a scope value that was not given, or one that would send the key to another host or over plain http.</exception>
    Task<KeyVerificationResult> VerifyAsync(ProviderId provider, SecretValue key, KeyVerificationOptions? options = null, CancellationToken cancellationToken = default);
}
