using System.Collections.Frozen;
using IronCage.Internal;

namespace IronCage.Providers;

/// <summary>Which managed key an adapter call is for, and where that key lives at the provider (its scope).</summary>
public sealed record ProviderKeyContext
{
    /// <summary>
    /// The <see cref="ManagedKey.Scope"/> entry that names which provider connection manages the key, when a host
    /// registers several connections for one provider (for example <c>AddOpenAI("openai-prod", …)</c> and
    /// <c>AddOpenAI("openai-dev", …)</c> for two organizations).
    /// </summary>
    /// <remarks>Without the entry, a provider with exactly one connection uses it; with several, the adapter asks for the entry.</remarks>
    public const string ConnectionScopeKey = "connection";

    /// <summary>Gets the managed key.</summary>
    public required KeyReference Key { get; init; }

    /// <summary>Gets the kind of key being managed.</summary>
    public KeyKind Kind { get; init; } = KeyKind.Inference;

    /// <summary>Gets the provider-side scope (project id, AWS user, Azure resource, ...), from <see cref="ManagedKey.Scope"/>.</summary>
    public IReadOnlyDictionary<string, string> Scope { get; init => field = Frozen.Map(value); } = FrozenDictionary<string, string>.Empty;

    /// <summary>Gets the provider connection named by the <see cref="ConnectionScopeKey"/> scope entry, if any.</summary>
    public string? ConnectionName => Scope.TryGetValue(ConnectionScopeKey, out var name) && !string.IsNullOrWhiteSpace(name) ? name : null;

    /// <summary>Builds the context of a managed key.</summary>
    /// <param name="key">The managed key.</param>
    /// <returns>The context.</returns>
    public static ProviderKeyContext For(ManagedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new ProviderKeyContext { Key = key.Reference, Kind = key.Kind, Scope = key.Scope };
    }
}
