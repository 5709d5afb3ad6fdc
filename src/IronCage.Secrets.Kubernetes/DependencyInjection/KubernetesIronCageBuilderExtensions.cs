using IronCage.Rotation;
using IronCage.Secrets.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Adds Kubernetes Secret distribution targets.</summary>
public static class KubernetesIronCageBuilderExtensions
{
    /// <summary>Adds a target that writes every rotated version of one managed key to one key of a Kubernetes Secret and restarts the named Deployments. Call it once per key and Secret.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The target's options name (unique per target).</param>
    /// <param name="configure">Configures the target.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Invalid options stop start-up with an <see cref="OptionsValidationException"/>.</remarks>
    public static IIronCageBuilder AddKubernetesSecretTarget(this IIronCageBuilder builder, string name, Action<KubernetesSecretTargetOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<KubernetesSecretTargetOptions>(name).Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KubernetesSecretTargetOptions>, KubernetesSecretTargetOptionsValidator>());
        builder.Services.AddSingleton<IKeyDistributionTarget>(sp => new KubernetesSecretTarget(
            sp.GetRequiredService<IOptionsMonitor<KubernetesSecretTargetOptions>>().Get(name),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesSecretTarget>>()));
        return builder;
    }
}
