using IronCage.Providers;
using IronCage.Providers.Http;
using IronCage.Providers.Perplexity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronCage;

/// <summary>Adds Perplexity connections to IronCage.</summary>
public static class PerplexityIronCageBuilderExtensions
{
    /// <summary>
    /// Adds a Perplexity connection (an API group and an existing key of it) named <paramref name="name"/>. Call it once per
    /// account; a managed key picks its connection with the <see cref="ProviderKeyContext.ConnectionScopeKey"/>
    /// scope entry, or uses the only one. The options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name, for example <c>perplexity</c>.</param>
    /// <param name="configure">Sets the management key (an existing key of the API group) and, optionally, the base address and resilience settings.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddPerplexity(this IIronCageBuilder builder, string name, Action<PerplexityProviderOptions> configure)
    {
        var services = builder.AddProviderConnection<PerplexityProviderOptions, PerplexityProviderOptionsValidator>(name, configure, new ProviderClientSettings(PerplexityConstants.HttpClientName, nameof(AddPerplexity)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, PerplexityProviderAdapter>());
        return builder;
    }

    /// <summary>
    /// Adds a Perplexity connection named <paramref name="name"/> bound from a configuration section (<c>ManagementKey</c>,
    /// <c>BaseAddress</c>, <c>Timeout</c>, <c>MaxRetries</c>, <c>RetryDelay</c>, <c>CircuitBreakDuration</c>).
    /// A missing <c>ManagementKey</c> stops start-up with a message naming the configuration key.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configuration">The section, for example <c>configuration.GetSection("IronCage:Perplexity")</c>.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddPerplexity(this IIronCageBuilder builder, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddPerplexity(name, o =>
        {
            configuration.Bind(o);
            o.ConfigurationPath = (configuration as IConfigurationSection)?.Path;
        });
    }
}
