using IronCage.Providers;

namespace IronCage.Rotation;

/// <summary>Removes a key at the provider the strongest way it allows: delete, else deactivate.</summary>
internal static class ProviderKeyRetirement
{
    public static Task RetireAsync(IProviderAdapter adapter, ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken)
        => RetireAsync(adapter, context, providerKeyId, openSecret: null, cancellationToken);

    /// <summary>
    /// Retires a key; an <see cref="ISecretRevokingProviderAdapter"/> (Perplexity) gets the key's value from
    /// <paramref name="openSecret"/>, unsealed for that one call and disposed right after.
    /// </summary>
    public static async Task RetireAsync(IProviderAdapter adapter, ProviderKeyContext context, string providerKeyId, Func<CancellationToken, ValueTask<SecretValue>>? openSecret, CancellationToken cancellationToken)
    {
        try
        {
            if (adapter is ISecretRevokingProviderAdapter revoker && adapter.Capabilities.HasFlag(ProviderCapabilities.Delete))
            {
                if (openSecret is null)
                {
                    throw new IronCageException($"{adapter.Provider} revokes a key by its value, and IronCage holds no sealed value for provider key '{providerKeyId}' of '{context.Key}'. Revoke it in the provider's console.");
                }

                using var secret = await openSecret(cancellationToken).ConfigureAwait(false);
                await revoker.RevokeKeyAsync(context, providerKeyId, secret, cancellationToken).ConfigureAwait(false);
            }
            else if (adapter.Capabilities.HasFlag(ProviderCapabilities.Delete))
            {
                await adapter.DeleteKeyAsync(context, providerKeyId, cancellationToken).ConfigureAwait(false);
            }
            else if (adapter.Capabilities.HasFlag(ProviderCapabilities.Deactivate))
            {
                await adapter.DeactivateKeyAsync(context, providerKeyId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ProviderRequestException ex) when (ex.Kind == ProviderErrorKind.NotFound)
        {
            // Already gone at the provider: that is what revocation wants.
        }
    }
}
