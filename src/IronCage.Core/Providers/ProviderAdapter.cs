using IronCage.Verification;

namespace IronCage.Providers;

/// <summary>
/// A base for <see cref="IProviderAdapter"/> implementations: every operation throws
/// <see cref="NotSupportedByProviderException"/> until overridden, so an adapter overrides exactly what its provider allows.
/// </summary>
public abstract class ProviderAdapter : IProviderAdapter
{
    /// <inheritdoc />
    public abstract ProviderId Provider { get; }

    /// <inheritdoc />
    public abstract ProviderCapabilities Capabilities { get; }

    /// <inheritdoc />
    public virtual Task<CreatedProviderKey> CreateKeyAsync(CreateProviderKeyRequest request, CancellationToken cancellationToken = default)
        => throw NotSupported(ProviderCapabilities.Create);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<ProviderKeyInfo> ListKeysAsync(ProviderKeyContext context, CancellationToken cancellationToken = default)
        => throw NotSupported(ProviderCapabilities.List);

    /// <inheritdoc />
    public virtual Task<ProviderKeyInfo?> GetKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
        => throw NotSupported(ProviderCapabilities.Read);

    /// <inheritdoc />
    public virtual Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
        => throw NotSupported(ProviderCapabilities.Verify);

    /// <inheritdoc />
    public virtual Task DeactivateKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
        => throw NotSupported(ProviderCapabilities.Deactivate);

    /// <inheritdoc />
    public virtual Task DeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
        => throw NotSupported(ProviderCapabilities.Delete);

    /// <inheritdoc />
    public virtual Task UndeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
        => throw NotSupported(ProviderCapabilities.Undelete);

    /// <inheritdoc />
    public virtual Task<CreatedProviderKey> RegenerateSlotAsync(ProviderKeyContext context, string slot, CancellationToken cancellationToken = default)
        => throw NotSupported(ProviderCapabilities.Regenerate);

    /// <summary>Creates the exception for an operation the provider does not offer.</summary>
    /// <param name="capability">The missing capability.</param>
    /// <returns>The exception to throw.</returns>
    protected NotSupportedByProviderException NotSupported(ProviderCapabilities capability)
        => new(Provider, capability, ProviderCatalog.BuiltIn.TryGetDescriptor(Provider, out var descriptor) && descriptor.CapabilityNotes.TryGetValue(capability, out var note) ? note : null);
}
