using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace IronCage.Providers;

/// <summary>An immutable <see cref="IProviderCatalog"/>; <see cref="BuiltIn"/> holds every provider IronCage ships knowledge of.</summary>
public sealed class ProviderCatalog : IProviderCatalog
{
    private readonly FrozenDictionary<ProviderId, ProviderDescriptor> _byId;

    /// <summary>Creates a catalog.</summary>
    /// <param name="descriptors">The descriptors; a later one with the same id replaces an earlier one.</param>
    /// <exception cref="ArgumentException">A descriptor is inconsistent (see <see cref="ProviderDescriptor.Validate"/>).</exception>
    public ProviderCatalog(IEnumerable<ProviderDescriptor> descriptors)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        var byId = new Dictionary<ProviderId, ProviderDescriptor>();
        foreach (var descriptor in descriptors)
        {
            ArgumentNullException.ThrowIfNull(descriptor);
            descriptor.Validate();
            byId[descriptor.Id] = descriptor;
        }

        _byId = byId.ToFrozenDictionary();
        All = [.. byId.Values.OrderBy(d => d.Id.Value, StringComparer.Ordinal)];
    }

    /// <summary>Gets the catalog of built-in providers.</summary>
    public static ProviderCatalog BuiltIn { get; } = new(BuiltInProviders.Create());

    /// <inheritdoc />
    public IReadOnlyList<ProviderDescriptor> All { get; }

    /// <inheritdoc />
    public ProviderDescriptor GetDescriptor(ProviderId provider)
        => _byId.TryGetValue(provider, out var descriptor) ? descriptor : throw new UnknownProviderException(provider);

    /// <inheritdoc />
    public bool TryGetDescriptor(ProviderId provider, [NotNullWhen(true)] out ProviderDescriptor? descriptor)
        => _byId.TryGetValue(provider, out descriptor);

    /// <summary>Returns a catalog with the given descriptors added or replacing those with the same id.</summary>
    /// <param name="descriptors">The descriptors to add.</param>
    /// <returns>A new catalog.</returns>
    public ProviderCatalog With(IEnumerable<ProviderDescriptor> descriptors)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        return new ProviderCatalog(All.Concat(descriptors));
    }
}
