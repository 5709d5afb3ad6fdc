using IronCage.Providers;
using IronCage.Providers.Http;
using IronCage.Providers.OpenRouter;
using IronCage.Providers.OpenRouter.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronCage;

/// <summary>Adds OpenRouter connections to IronCage.</summary>
public static class OpenRouterIronCageBuilderExtensions
{
    /// <summary>
    /// Adds an OpenRouter connection (an account and its management key) named <paramref name="name"/>. Call it once per
    /// account; a managed key picks its connection with the <see cref="ProviderKeyContext.ConnectionScopeKey"/>
    /// scope entry, or uses the only one. The options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name, for example <c>openrouter</c>.</param>
    /// <param name="configure">Sets the management key and, optionally, the base address and resilience settings.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddOpenRouter(this IIronCageBuilder builder, string name, Action<OpenRouterProviderOptions> configure)
    {
        var services = builder.AddProviderConnection<OpenRouterProviderOptions, OpenRouterProviderOptionsValidator>(name, configure, new ProviderClientSettings(OpenRouterConstants.HttpClientName, nameof(AddOpenRouter)));
        // One adapter instance is both the provider adapter and the usage reporter (OpenRouter reports each key's spend).
        services.TryAddSingleton<OpenRouterProviderAdapter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, OpenRouterProviderAdapter>(sp => sp.GetRequiredService<OpenRouterProviderAdapter>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderUsageReporter, OpenRouterProviderAdapter>(sp => sp.GetRequiredService<OpenRouterProviderAdapter>()));
        return builder;
    }

    /// <summary>
    /// Adds an OpenRouter connection named <paramref name="name"/> bound from a configuration section (<c>ManagementKey</c>,
    /// <c>BaseAddress</c>, <c>Timeout</c>, <c>MaxRetries</c>, <c>RetryDelay</c>, <c>CircuitBreakDuration</c>).
    /// A missing <c>ManagementKey</c> stops start-up with a message naming the configuration key.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configuration">The section, for example <c>configuration.GetSection("IronCage:OpenRouter")</c>.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddOpenRouter(this IIronCageBuilder builder, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddOpenRouter(name, o =>
        {
            configuration.Bind(o);
            o.ConfigurationPath = (configuration as IConfigurationSection)?.Path;
        });
    }
}
