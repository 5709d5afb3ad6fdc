using IronCage.Providers;
using IronCage.Providers.Anthropic;
using IronCage.Providers.Anthropic.Internal;
using IronCage.Providers.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronCage;

/// <summary>Adds Anthropic connections to IronCage.</summary>
public static class AnthropicIronCageBuilderExtensions
{
    /// <summary>
    /// Adds an Anthropic connection (one organization and its admin key) named <paramref name="name"/>. Call it once per
    /// organization; a managed key picks its connection with the <see cref="ProviderKeyContext.ConnectionScopeKey"/>
    /// scope entry, or uses the only one. The options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name, for example <c>anthropic</c>.</param>
    /// <param name="configure">Sets the admin key and, optionally, the base address and resilience settings.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddAnthropic(this IIronCageBuilder builder, string name, Action<AnthropicProviderOptions> configure)
    {
        var services = builder.AddProviderConnection<AnthropicProviderOptions, AnthropicProviderOptionsValidator>(name, configure, new ProviderClientSettings(AnthropicConstants.HttpClientName, nameof(AddAnthropic)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, AnthropicProviderAdapter>());
        return builder;
    }

    /// <summary>
    /// Adds an Anthropic connection named <paramref name="name"/> bound from a configuration section (<c>AdminKey</c>, <c>ArchiveOnDeactivate</c>,
    /// <c>BaseAddress</c>, <c>Timeout</c>, <c>MaxRetries</c>, <c>RetryDelay</c>, <c>CircuitBreakDuration</c>).
    /// A missing <c>AdminKey</c> stops start-up with a message naming the configuration key.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configuration">The section, for example <c>configuration.GetSection("IronCage:Anthropic")</c>.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddAnthropic(this IIronCageBuilder builder, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddAnthropic(name, o =>
        {
            configuration.Bind(o);
            o.ConfigurationPath = (configuration as IConfigurationSection)?.Path;
        });
    }
}
