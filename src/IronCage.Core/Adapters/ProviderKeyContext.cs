using System.Collections.Frozen;
using IronCage.Internal;

namespace IronCage;

/// <summary>Which managed key an adapter call is for, and where that key lives at the provider (its scope).</summary>
public sealed record ProviderKeyContext
{
    /// <summary>Gets the managed key.</summary>
    public required KeyReference Key { get; init; }

    /// <summary>Gets the kind of key being managed.</summary>
    public KeyKind Kind { get; init; } = KeyKind.Inference;

    /// <summary>Gets the provider-side scope (project id, AWS user, Azure resource, ...), from <see cref="ManagedKey.Scope"/>.</summary>
    public IReadOnlyDictionary<string, string> Scope { get; init => field = Frozen.Map(value); } = FrozenDictionary<string, string>.Empty;

    /// <summary>Builds the context of a managed key.</summary>
    /// <param name="key">The managed key.</param>
    /// <returns>The context.</returns>
    public static ProviderKeyContext For(ManagedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new ProviderKeyContext { Key = key.Reference, Kind = key.Kind, Scope = key.Scope };
    }
}
