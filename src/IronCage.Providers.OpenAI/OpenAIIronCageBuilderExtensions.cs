using IronCage.Providers;
using IronCage.Providers.Http;
using IronCage.Providers.OpenAI;
using IronCage.Providers.OpenAI.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronCage;

/// <summary>Adds OpenAI connections to IronCage.</summary>
public static class OpenAIIronCageBuilderExtensions
{
    /// <summary>
    /// Adds an OpenAI connection (one organization and its admin key) named <paramref name="name"/>. Call it once per
    /// organization; a managed key picks its connection with the <see cref="ProviderKeyContext.ConnectionScopeKey"/>
    /// scope entry, or uses the only one. The options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name, for example <c>openai-prod</c>.</param>
    /// <param name="configure">Sets the admin key and, optionally, the base address and resilience settings.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddOpenAI(this IIronCageBuilder builder, string name, Action<OpenAIProviderOptions> configure)
    {
        var services = builder.AddProviderConnection<OpenAIProviderOptions, OpenAIProviderOptionsValidator>(name, configure, new ProviderClientSettings(OpenAIConstants.HttpClientName, nameof(AddOpenAI)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, OpenAIProviderAdapter>());
        return builder;
    }

    /// <summary>
    /// Adds an OpenAI connection named <paramref name="name"/> bound from a configuration section (<c>AdminKey</c>,
    /// <c>BaseAddress</c>, <c>Timeout</c>, <c>MaxRetries</c>, <c>RetryDelay</c>, <c>CircuitBreakDuration</c>).
    /// A missing <c>AdminKey</c> stops start-up with a message naming the configuration key.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configuration">The section, for example <c>configuration.GetSection("IronCage:OpenAI")</c>.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddOpenAI(this IIronCageBuilder builder, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddOpenAI(name, o =>
        {
            configuration.Bind(o);
            o.ConfigurationPath = (configuration as IConfigurationSection)?.Path;
        });
    }
}
