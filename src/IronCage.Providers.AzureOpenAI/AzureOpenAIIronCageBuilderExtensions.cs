using IronCage.Providers;
using IronCage.Providers.AzureOpenAI;
using IronCage.Providers.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Adds the Azure OpenAI provider adapter.</summary>
public static class AzureOpenAIIronCageBuilderExtensions
{
    /// <summary>
    /// Adds an Azure OpenAI connection named <paramref name="name"/>: the credential and defaults IronCage uses to list
    /// and regenerate the keys of Azure OpenAI / AI Services accounts. Call it once per connection; a managed key picks
    /// its connection with the <see cref="ProviderKeyContext.ConnectionScopeKey"/> scope entry when there are several.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configure">Configures the connection.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Invalid options stop start-up with an <see cref="OptionsValidationException"/>.</remarks>
    public static IIronCageBuilder AddAzureOpenAI(this IIronCageBuilder builder, string name, Action<AzureOpenAIProviderOptions> configure)
    {
        var services = builder.AddProviderConnection<AzureOpenAIProviderOptions, AzureOpenAIProviderOptionsValidator>(name, configure, new ProviderClientSettings(AzureOpenAIConstants.HttpClientName, nameof(AddAzureOpenAI)) { RetryThrottled = true });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, AzureOpenAIProviderAdapter>());
        return builder;
    }

    /// <summary>Adds an Azure OpenAI connection named <paramref name="name"/>, bound to a configuration section (for example <c>IronCage:AzureOpenAI</c>).</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configuration">The section with <see cref="AzureOpenAIProviderOptions"/> values (SubscriptionId, ResourceGroup, AccountName, Endpoint, ApiVersion, BaseAddress, Timeout, MaxRetries, …).</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddAzureOpenAI(this IIronCageBuilder builder, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        builder.AddAzureOpenAI(name, static _ => { });
        builder.Services.AddOptions<AzureOpenAIProviderOptions>(name).Bind(configuration);
        return builder;
    }
}
