using IronCage.Providers;

namespace IronCage.Rotation;

/// <summary>Removes a key at the provider the strongest way it allows: delete, else deactivate.</summary>
internal static class ProviderKeyRetirement
{
    public static async Task RetireAsync(IProviderAdapter adapter, ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken)
    {
        try
        {
            if (adapter.Capabilities.HasFlag(ProviderCapabilities.Delete))
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
