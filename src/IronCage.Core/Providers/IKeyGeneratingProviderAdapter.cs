namespace IronCage.Providers;

/// <summary>
/// An <see cref="IProviderAdapter"/> that mints keys itself from credentials the host holds, with no call to the
/// provider (<see cref="ProviderCapabilities.Generate"/>, the <see cref="RotationTier.Generated"/> tier: Amazon Bedrock
/// short-term API keys). Every key it returns has an expiry, and nothing revokes it before then.
/// </summary>
/// <remarks>
/// Implementations must never log the key, put it in an exception message, or keep it after returning it; the caller
/// owns the returned <see cref="CreatedProviderKey"/> and disposes it.
/// </remarks>
public interface IKeyGeneratingProviderAdapter : IProviderAdapter
{
    /// <summary>Generates a new key for the managed key in <paramref name="request"/>.</summary>
    /// <param name="request">The managed key and the longest lifetime wanted.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The key, with <see cref="CreatedProviderKey.ExpiresAt"/> set (it never outlives the credentials that signed it) and
    /// a <see cref="CreatedProviderKey.ProviderKeyId"/> that identifies it without revealing it.
    /// </returns>
    /// <exception cref="ProviderRequestException">The host's credentials could not be obtained or were refused; the message holds no secret.</exception>
    Task<CreatedProviderKey> GenerateKeyAsync(GenerateProviderKeyRequest request, CancellationToken cancellationToken = default);
}
