using System.Diagnostics.CodeAnalysis;

namespace IronCage.Providers;

/// <summary>The providers IronCage knows: the built-in ones plus any the host registered.</summary>
public interface IProviderCatalog
{
    /// <summary>Gets every descriptor, ordered by provider id.</summary>
    IReadOnlyList<ProviderDescriptor> All { get; }

    /// <summary>Returns a provider's descriptor.</summary>
    /// <param name="provider">The provider id.</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="UnknownProviderException">The provider is not in the catalog.</exception>
    ProviderDescriptor GetDescriptor(ProviderId provider);

    /// <summary>Looks a provider up.</summary>
    /// <param name="provider">The provider id.</param>
    /// <param name="descriptor">The descriptor when found.</param>
    /// <returns><see langword="true"/> when found.</returns>
    bool TryGetDescriptor(ProviderId provider, [NotNullWhen(true)] out ProviderDescriptor? descriptor);
}
