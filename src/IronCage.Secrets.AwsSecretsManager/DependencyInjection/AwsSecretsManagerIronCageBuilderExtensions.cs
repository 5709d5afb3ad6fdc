using IronCage.Rotation;
using IronCage.Secrets.AwsSecretsManager;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Adds AWS Secrets Manager distribution targets.</summary>
public static class AwsSecretsManagerIronCageBuilderExtensions
{
    /// <summary>Adds a target that writes every rotated version of one managed key to one Secrets Manager secret (or one field of a JSON-map secret). Call it once per key and secret.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The target's options name (unique per target).</param>
    /// <param name="configure">Configures the target.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Invalid options stop start-up with an <see cref="OptionsValidationException"/>.</remarks>
    public static IIronCageBuilder AddAwsSecretsManagerTarget(this IIronCageBuilder builder, string name, Action<AwsSecretsManagerTargetOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddHttpClient(AwsSecretsManagerConstants.HttpClientName);
        builder.Services.AddOptions<AwsSecretsManagerTargetOptions>(name).Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsSecretsManagerTargetOptions>, AwsSecretsManagerOptionsValidator>());
        builder.Services.AddSingleton<IKeyDistributionTarget>(sp => new AwsSecretsManagerTarget(
            sp.GetRequiredService<IOptionsMonitor<AwsSecretsManagerTargetOptions>>().Get(name),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(AwsSecretsManagerConstants.HttpClientName),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<AwsSecretsManagerTarget>>()));
        return builder;
    }
}
