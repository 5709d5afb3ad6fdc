using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.Http;

/// <summary>
/// The connections (named options) of one provider adapter, and the rule that picks one for a managed key: the key's
/// <see cref="ProviderKeyContext.ConnectionScopeKey"/> scope entry, or the only connection there is. Registered by
/// <see cref="ProviderHttpIronCageBuilderExtensions.AddProviderConnection{TOptions}(IIronCageBuilder, string, Action{TOptions}, ProviderClientSettings)"/>; an adapter takes it in its constructor.
/// </summary>
/// <typeparam name="TOptions">The provider's options type.</typeparam>
public sealed class ProviderConnections<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>
    where TOptions : ProviderHttpOptions
{
    private readonly IOptionsMonitor<TOptions> _options;
    private readonly string _addMethod;

    /// <summary>Initializes the connections.</summary>
    /// <param name="names">The registered names.</param>
    /// <param name="options">The connections' options.</param>
    /// <param name="addMethod">The package's <c>Add&lt;Provider&gt;</c> method, named in messages.</param>
    public ProviderConnections(IEnumerable<ProviderConnectionName<TOptions>> names, IOptionsMonitor<TOptions> options, string addMethod)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _addMethod = addMethod;
        Names = names.Select(n => n.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>Gets the registered connection names.</summary>
    public FrozenSet<string> Names { get; }

    /// <summary>Picks the connection that manages <paramref name="context"/>'s key.</summary>
    /// <param name="context">The managed key.</param>
    /// <returns>The connection's name and options.</returns>
    /// <exception cref="IronCageException">No connection fits; the message says which scope entry to set.</exception>
    public (string Name, TOptions Options) Select(ProviderKeyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.ConnectionName is { } requested)
        {
            return Names.Contains(requested)
                ? (requested, _options.Get(requested))
                : throw new IronCageException($"Managed key '{context.Key}' asks for the {context.Key.Provider} connection '{requested}', but the registered connections are: {Describe()}. Register it with {_addMethod}(\"{requested}\", …) or fix the key's '{ProviderKeyContext.ConnectionScopeKey}' scope entry.");
        }

        return Names.Count switch
        {
            1 => (Names.First(), _options.Get(Names.First())),
            0 => throw new IronCageException($"No {context.Key.Provider} connection is registered. Call {_addMethod}(name, options) when adding IronCage."),
            _ => throw new IronCageException($"Managed key '{context.Key}' does not say which {context.Key.Provider} connection manages it, and several are registered ({Describe()}). Set its '{ProviderKeyContext.ConnectionScopeKey}' scope entry to one of them."),
        };
    }

    private string Describe() => Names.Count == 0 ? "none" : string.Join(", ", Names.Select(n => $"'{n}'"));
}
