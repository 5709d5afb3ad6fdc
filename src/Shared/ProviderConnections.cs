using System.Collections.Frozen;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IronCage.Internal;

/// <summary>The name of one provider connection registered with <c>Add&lt;Provider&gt;(name, …)</c>; one entry per call.</summary>
/// <typeparam name="TOptions">The provider's options type: names are per provider.</typeparam>
internal sealed record ProviderConnectionName<TOptions>(string Name)
    where TOptions : class;

/// <summary>
/// The connections (named options) of one provider adapter, and the rule that picks one for a managed key:
/// the key's <see cref="ProviderKeyContext.ConnectionScopeKey"/> scope entry, or the only connection there is.
/// </summary>
/// <remarks>Shared source: compiled into each provider package, so the rule reads the same everywhere.</remarks>
/// <typeparam name="TOptions">The provider's options type.</typeparam>
internal sealed class ProviderConnections<TOptions>
    where TOptions : class
{
    private readonly IOptionsMonitor<TOptions> _options;
    private readonly string _addMethod;

    public ProviderConnections(IEnumerable<ProviderConnectionName<TOptions>> names, IOptionsMonitor<TOptions> options, string addMethod)
    {
        _options = options;
        _addMethod = addMethod;
        Names = names.Select(n => n.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>Gets the registered connection names.</summary>
    public FrozenSet<string> Names { get; }

    /// <summary>Registers a named connection; a second registration of the same name only adds configuration.</summary>
    public static void Add(IServiceCollection services, string name, Action<TOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        // TryAddEnumerable refuses an instance whose type is the service type (it cannot tell entries apart by type), so
        // a repeated name is skipped by value instead.
        var entry = new ProviderConnectionName<TOptions>(name);
        if (!services.Any(d => d.ServiceType == typeof(ProviderConnectionName<TOptions>) && Equals(d.ImplementationInstance, entry)))
        {
            services.AddSingleton(entry);
        }

        services.AddOptions<TOptions>(name).Configure(configure);
    }

    /// <summary>Picks the connection that manages <paramref name="context"/>'s key.</summary>
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
