using IronCage.Providers;
using IronCage.Providers.Http;
using IronCage.Providers.Mistral;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronCage;

/// <summary>Adds Mistral connections to IronCage.</summary>
public static class MistralIronCageBuilderExtensions
{
    /// <summary>
    /// Adds a Mistral connection (an organization and its beta Admin API key) named <paramref name="name"/>. Call it once per
    /// account; a managed key picks its connection with the <see cref="ProviderKeyContext.ConnectionScopeKey"/>
    /// scope entry, or uses the only one. The options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name, for example <c>mistral</c>.</param>
    /// <param name="configure">Sets the admin key and, optionally, the base address and resilience settings.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddMistral(this IIronCageBuilder builder, string name, Action<MistralProviderOptions> configure)
    {
        var services = builder.AddProviderConnection<MistralProviderOptions, MistralProviderOptionsValidator>(name, configure, new ProviderClientSettings(MistralConstants.HttpClientName, nameof(AddMistral)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, MistralProviderAdapter>());
        return builder;
    }

    /// <summary>
    /// Adds a Mistral connection named <paramref name="name"/> bound from a configuration section (<c>AdminKey</c>,
    /// <c>BaseAddress</c>, <c>Timeout</c>, <c>MaxRetries</c>, <c>RetryDelay</c>, <c>CircuitBreakDuration</c>).
    /// A missing <c>AdminKey</c> stops start-up with a message naming the configuration key.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configuration">The section, for example <c>configuration.GetSection("IronCage:Mistral")</c>.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddMistral(this IIronCageBuilder builder, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddMistral(name, o =>
        {
            configuration.Bind(o);
            o.ConfigurationPath = (configuration as IConfigurationSection)?.Path;
        });
    }
}
