using IronCage.Providers;

namespace IronCage;

/// <summary>An operation was asked of a provider whose API does not offer it (for example creating an Anthropic key).</summary>
public sealed class NotSupportedByProviderException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="provider">The provider.</param>
    /// <param name="capability">The missing capability.</param>
    /// <param name="hint">What to do instead, if there is something.</param>
    public NotSupportedByProviderException(ProviderId provider, ProviderCapabilities capability, string? hint = null)
        : base($"Provider '{provider}' does not support '{capability}' by API." + (hint is null ? string.Empty : " " + hint))
    {
        Provider = provider;
        Capability = capability;
    }

    /// <summary>Gets the provider.</summary>
    public ProviderId Provider { get; }

    /// <summary>Gets the capability that is missing.</summary>
    public ProviderCapabilities Capability { get; }
}
