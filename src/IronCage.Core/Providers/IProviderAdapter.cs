using IronCage.Verification;

namespace IronCage.Providers;

/// <summary>
/// Manages keys at one provider through its API. Each operation is optional by capability: an adapter advertises
/// what works in <see cref="Capabilities"/>, and every other operation throws <see cref="NotSupportedByProviderException"/>.
/// Derive from <see cref="ProviderAdapter"/> to get that behaviour for free.
/// </summary>
public interface IProviderAdapter
{
    /// <summary>Gets the provider.</summary>
    ProviderId Provider { get; }

    /// <summary>Gets the operations this adapter performs.</summary>
    ProviderCapabilities Capabilities { get; }

    /// <summary>Creates a key (<see cref="ProviderCapabilities.Create"/>).</summary>
    /// <param name="request">What to create.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new key with its secret.</returns>
    Task<CreatedProviderKey> CreateKeyAsync(CreateProviderKeyRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists keys in the managed key's scope, every page (<see cref="ProviderCapabilities.List"/>).</summary>
    /// <param name="context">The managed key and scope.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The keys.</returns>
    IAsyncEnumerable<ProviderKeyInfo> ListKeysAsync(ProviderKeyContext context, CancellationToken cancellationToken = default);

    /// <summary>Reads one key (<see cref="ProviderCapabilities.Read"/>).</summary>
    /// <param name="context">The managed key and scope.</param>
    /// <param name="providerKeyId">The provider's key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key, or <see langword="null"/> when the provider does not know it.</returns>
    Task<ProviderKeyInfo?> GetKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default);

    /// <summary>Verifies a key with an authenticated call (<see cref="ProviderCapabilities.Verify"/>).</summary>
    /// <param name="context">The managed key and scope.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default);

    /// <summary>Deactivates a key without deleting it (<see cref="ProviderCapabilities.Deactivate"/>).</summary>
    /// <param name="context">The managed key and scope.</param>
    /// <param name="providerKeyId">The provider's key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the provider confirmed.</returns>
    Task DeactivateKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key (<see cref="ProviderCapabilities.Delete"/>). Deleting a key that is already gone succeeds.</summary>
    /// <param name="context">The managed key and scope.</param>
    /// <param name="providerKeyId">The provider's key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the provider confirmed.</returns>
    Task DeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default);

    /// <summary>Restores a deleted key (<see cref="ProviderCapabilities.Undelete"/>).</summary>
    /// <param name="context">The managed key and scope.</param>
    /// <param name="providerKeyId">The provider's key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the provider confirmed.</returns>
    Task UndeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default);

    /// <summary>Regenerates a fixed key slot, replacing its value (<see cref="ProviderCapabilities.Regenerate"/>).</summary>
    /// <param name="context">The managed key and scope.</param>
    /// <param name="slot">The slot (for Azure <c>Key1</c> or <c>Key2</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The slot's new value.</returns>
    Task<CreatedProviderKey> RegenerateSlotAsync(ProviderKeyContext context, string slot, CancellationToken cancellationToken = default);
}
