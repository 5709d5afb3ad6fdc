using IronCage.Rotation;
using IronCage.Secrets.CloudflareAiGateway;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Adds Cloudflare AI Gateway bring-your-own-key targets.</summary>
public static class CloudflareAiGatewayIronCageBuilderExtensions
{
    /// <summary>Adds a target that writes every rotated version of one managed key to one AI Gateway provider key (Cloudflare Secrets Store, scope ai_gateway). Call it once per key and secret.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The target's options name (unique per target).</param>
    /// <param name="configure">Configures the target.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Invalid options stop start-up with an <see cref="OptionsValidationException"/>.</remarks>
    public static IIronCageBuilder AddCloudflareAiGatewayTarget(this IIronCageBuilder builder, string name, Action<CloudflareAiGatewayTargetOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddHttpClient(CloudflareAiGatewayConstants.HttpClientName);
        builder.Services.AddOptions<CloudflareAiGatewayTargetOptions>(name).Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CloudflareAiGatewayTargetOptions>, CloudflareAiGatewayTargetOptionsValidator>());
        builder.Services.AddSingleton<IKeyDistributionTarget>(sp => new CloudflareAiGatewayTarget(
            sp.GetRequiredService<IOptionsMonitor<CloudflareAiGatewayTargetOptions>>().Get(name),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(CloudflareAiGatewayConstants.HttpClientName),
            sp.GetService<ILogger<CloudflareAiGatewayTarget>>()));
        return builder;
    }
}
