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

    /// <summary>
    /// Adds a source of Amazon Bedrock short-term API keys named <paramref name="name"/>: IronCage generates each key
    /// itself from the host's AWS credentials (a pre-signed SigV4 token, valid up to 12 hours and never past the
    /// credentials' expiry) and generates the next one before it expires. Register managed keys of provider
    /// <see cref="ProviderId.AwsBedrockShortTerm"/> with <c>IKeyRotator.RegisterGeneratedAsync</c> and run the rotation
    /// scheduler; the resolver and <c>AddIronCageKey</c> serve them like any key. Nothing can revoke a short-term key: a
    /// replaced one is no longer served and stays valid until it expires.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The source's name; a managed key picks it with the <see cref="ProviderKeyContext.ConnectionScopeKey"/> scope entry when there are several.</param>
    /// <param name="configure">Configures the source (Region is required).</param>
    /// <returns>The builder.</returns>
    /// <remarks>Invalid options (no region, a lifetime outside 1 minute to 12 hours) stop start-up with an <see cref="OptionsValidationException"/>.</remarks>
    public static IIronCageBuilder AddAwsBedrockShortTermKeys(this IIronCageBuilder builder, string name, Action<AwsBedrockShortTermOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        var entry = new ShortTermConnectionName(name);
        if (!services.Any(d => d.ServiceType == typeof(ShortTermConnectionName) && Equals(d.ImplementationInstance, entry)))
        {
            services.AddSingleton(entry);
        }

        services.AddOptions<AwsBedrockShortTermOptions>(name).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsBedrockShortTermOptions>, AwsBedrockShortTermOptionsValidator>());
        services.TryAddSingleton<ShortTermConnections>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, AwsBedrockShortTermProviderAdapter>());
        return builder;
    }

    /// <summary>Adds a source of Amazon Bedrock short-term API keys named <paramref name="name"/>, bound to a configuration section (for example <c>IronCage:BedrockShortTerm</c>).</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The source's name.</param>
    /// <param name="configuration">The section with <see cref="AwsBedrockShortTermOptions"/> values (Region, Lifetime); credentials come from the default chain.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddAwsBedrockShortTermKeys(this IIronCageBuilder builder, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        builder.AddAwsBedrockShortTermKeys(name, static _ => { });
        builder.Services.AddOptions<AwsBedrockShortTermOptions>(name).Bind(configuration);
        return builder;
    }
}
