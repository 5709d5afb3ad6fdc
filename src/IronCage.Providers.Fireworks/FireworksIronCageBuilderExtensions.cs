using IronCage.Providers;
using IronCage.Providers.Fireworks;
using IronCage.Providers.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronCage;

/// <summary>Adds Fireworks AI connections to IronCage.</summary>
public static class FireworksIronCageBuilderExtensions
{
    /// <summary>
    /// Adds a Fireworks connection (an account, a user and the API key that manages its keys) named <paramref name="name"/>.
    /// Call it once per account or user; a managed key picks its connection with the
    /// <see cref="ProviderKeyContext.ConnectionScopeKey"/> scope entry, or uses the only one. The options are validated
    /// when the host starts.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name, for example <c>fireworks</c>.</param>
    /// <param name="configure">Sets the management key, account id and user id and, optionally, the base address and resilience settings.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddFireworks(this IIronCageBuilder builder, string name, Action<FireworksProviderOptions> configure)
    {
        var services = builder.AddProviderConnection<FireworksProviderOptions, FireworksProviderOptionsValidator>(name, configure, new ProviderClientSettings(FireworksConstants.HttpClientName, nameof(AddFireworks)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, FireworksProviderAdapter>());
        return builder;
    }

    /// <summary>
    /// Adds a Fireworks connection named <paramref name="name"/> bound from a configuration section (<c>ManagementKey</c>,
    /// <c>AccountId</c>, <c>UserId</c>, <c>BaseAddress</c>, <c>Timeout</c>, <c>MaxRetries</c>, <c>RetryDelay</c>,
    /// <c>CircuitBreakDuration</c>). A missing <c>ManagementKey</c>, <c>AccountId</c> or <c>UserId</c> stops start-up with
    /// a message naming the configuration key.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configuration">The section, for example <c>configuration.GetSection("IronCage:Fireworks")</c>.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddFireworks(this IIronCageBuilder builder, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddFireworks(name, o =>
        {
            configuration.Bind(o);
            o.ConfigurationPath = (configuration as IConfigurationSection)?.Path;
        });
    }
}
