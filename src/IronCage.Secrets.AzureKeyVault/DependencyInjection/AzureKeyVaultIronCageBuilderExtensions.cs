using IronCage.Rotation;
using IronCage.Secrets.AzureKeyVault;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Adds Azure Key Vault distribution targets.</summary>
public static class AzureKeyVaultIronCageBuilderExtensions
{
    /// <summary>Adds a target that writes every rotated version of one managed key to one Key Vault secret. Call it once per key and secret.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The target's options name (unique per target).</param>
    /// <param name="configure">Configures the target.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Invalid options stop start-up with an <see cref="OptionsValidationException"/>.</remarks>
    public static IIronCageBuilder AddAzureKeyVaultTarget(this IIronCageBuilder builder, string name, Action<AzureKeyVaultTargetOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<AzureKeyVaultTargetOptions>(name).Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureKeyVaultTargetOptions>, AzureKeyVaultTargetOptionsValidator>());
        builder.Services.AddSingleton<IKeyDistributionTarget>(sp => new AzureKeyVaultTarget(
            sp.GetRequiredService<IOptionsMonitor<AzureKeyVaultTargetOptions>>().Get(name),
            sp.GetService<ILogger<AzureKeyVaultTarget>>()));
        return builder;
    }
}
