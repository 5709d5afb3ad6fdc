using IronCage.Providers;
using IronCage.Providers.AwsBedrock;
using IronCage.Providers.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Adds the AWS Bedrock provider adapter.</summary>
public static class AwsBedrockIronCageBuilderExtensions
{
    /// <summary>
    /// Adds an AWS Bedrock connection named <paramref name="name"/>: the AWS credentials and IAM user IronCage uses to create, list, deactivate and delete
    /// Amazon Bedrock API keys (IAM service-specific credentials). Call it once per connection; a managed key picks
    /// its connection with the <see cref="ProviderKeyContext.ConnectionScopeKey"/> scope entry when there are several.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configure">Configures the connection.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Invalid options stop start-up with an <see cref="OptionsValidationException"/>.</remarks>
    public static IIronCageBuilder AddAwsBedrock(this IIronCageBuilder builder, string name, Action<AwsBedrockProviderOptions> configure)
    {
        var services = builder.AddProviderConnection<AwsBedrockProviderOptions, AwsBedrockProviderOptionsValidator>(name, configure, new ProviderClientSettings(AwsBedrockConstants.HttpClientName, nameof(AddAwsBedrock)) { RetryThrottled = true });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, AwsBedrockProviderAdapter>());
        return builder;
    }

    /// <summary>Adds an AWS Bedrock connection named <paramref name="name"/>, bound to a configuration section (for example <c>IronCage:Bedrock</c>).</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configuration">The section with <see cref="AwsBedrockProviderOptions"/> values (UserName, BedrockRegion, CredentialAgeDays, BaseAddress, Timeout, MaxRetries, …).</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddAwsBedrock(this IIronCageBuilder builder, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        builder.AddAwsBedrock(name, static _ => { });
        builder.Services.AddOptions<AwsBedrockProviderOptions>(name).Bind(configuration);
        return builder;
    }
}
