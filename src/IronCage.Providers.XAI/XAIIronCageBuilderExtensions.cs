using IronCage.Providers;
using IronCage.Providers.Http;
using IronCage.Providers.XAI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronCage;

/// <summary>Adds xAI connections to IronCage.</summary>
public static class XAIIronCageBuilderExtensions
{
    /// <summary>
    /// Adds an xAI connection (a team and its management key) named <paramref name="name"/>. Call it once per
    /// team; a managed key picks its connection with the <see cref="ProviderKeyContext.ConnectionScopeKey"/>
    /// scope entry, or uses the only one. The options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name, for example <c>xai</c>.</param>
    /// <param name="configure">Sets the management key and team and, optionally, the ACLs, the addresses and resilience settings.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddXAI(this IIronCageBuilder builder, string name, Action<XAIProviderOptions> configure)
    {
        var services = builder.AddProviderConnection<XAIProviderOptions, XAIProviderOptionsValidator>(name, configure, new ProviderClientSettings(XAIConstants.HttpClientName, nameof(AddXAI)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, XAIProviderAdapter>());
        return builder;
    }

    /// <summary>
    /// Adds an xAI connection named <paramref name="name"/> bound from a configuration section (<c>ManagementKey</c>, <c>TeamId</c>, <c>Acls</c>,
    /// <c>InferenceAddress</c>, <c>BaseAddress</c>, <c>Timeout</c>, <c>MaxRetries</c>, <c>RetryDelay</c>, <c>CircuitBreakDuration</c>).
    /// A missing <c>ManagementKey</c> stops start-up with a message naming the configuration key.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configuration">The section, for example <c>configuration.GetSection("IronCage:XAI")</c>.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddXAI(this IIronCageBuilder builder, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddXAI(name, o =>
        {
            configuration.Bind(o);
            o.ConfigurationPath = (configuration as IConfigurationSection)?.Path;
        });
    }
}
