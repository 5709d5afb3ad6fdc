using IronCage.Rotation;
using IronCage.Secrets.HashiCorpVault;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Adds HashiCorp Vault distribution targets.</summary>
public static class HashiCorpVaultIronCageBuilderExtensions
{
    /// <summary>Adds a target that writes every rotated version of one managed key to one field of one Vault KV v2 secret. Call it once per key and secret.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The target's options name (unique per target).</param>
    /// <param name="configure">Configures the target.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Invalid options stop start-up with an <see cref="OptionsValidationException"/>.</remarks>
    public static IIronCageBuilder AddHashiCorpVaultTarget(this IIronCageBuilder builder, string name, Action<HashiCorpVaultTargetOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddHttpClient(HashiCorpVaultConstants.HttpClientName);
        builder.Services.AddOptions<HashiCorpVaultTargetOptions>(name).Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HashiCorpVaultTargetOptions>, HashiCorpVaultOptionsValidator>());
        builder.Services.AddSingleton<IKeyDistributionTarget>(sp => new HashiCorpVaultTarget(
            sp.GetRequiredService<IOptionsMonitor<HashiCorpVaultTargetOptions>>().Get(name),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HashiCorpVaultConstants.HttpClientName),
            sp.GetService<ILogger<HashiCorpVaultTarget>>()));
        return builder;
    }
}
