namespace IronCage.Providers;

/// <summary>
/// An <see cref="IProviderAdapter"/> whose provider revokes a key by its secret value, not by an id (Perplexity's
/// <c>POST /revoke_auth_token</c> takes the full key). The rotation engine calls
/// <see cref="RevokeKeyAsync"/> instead of <see cref="IProviderAdapter.DeleteKeyAsync"/> when it retires or discards
/// a key of such an adapter: it unseals that version's secret only for this call and disposes it right after.
/// </summary>
/// <remarks>
/// Implementations must never log the secret, put it in an exception message, or keep it after the call; an error
/// answer that may echo the secret must not be passed on verbatim.
/// </remarks>
public interface ISecretRevokingProviderAdapter : IProviderAdapter
{
    /// <summary>Revokes the key whose value is <paramref name="secret"/> at the provider.</summary>
    /// <param name="context">The managed key's provider context (connection, scope).</param>
    /// <param name="providerKeyId">The provider-side id or name IronCage recorded for the key, for logs and messages only.</param>
    /// <param name="secret">The key's value, unsealed for this call only; the caller disposes it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the provider confirmed the revocation.</returns>
    /// <exception cref="ProviderRequestException">The provider refused or could not be reached; its message holds no secret.</exception>
    Task RevokeKeyAsync(ProviderKeyContext context, string providerKeyId, SecretValue secret, CancellationToken cancellationToken = default);
}
