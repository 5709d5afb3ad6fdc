using IronCage.Encryption;
using IronCage.Encryption.AwsKms;
using IronCage.Encryption.AwsKms.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Protects stored secrets with an AWS KMS key.</summary>
public static class AwsKmsIronCageBuilderExtensions
{
    /// <summary>
    /// Wraps the data key of every stored secret with an AWS KMS key instead of the local master key. Invalid options
    /// stop start-up with an <see cref="OptionsValidationException"/>; unless <see cref="AwsKmsOptions.ValidateKeyOnStart"/>
    /// is off, a hosted service also checks the key with KMS when the host starts.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Configures the KMS key.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Fingerprints and the key-state seals are keyed from the local master key by default: with KMS, set
    /// <see cref="LocalMasterKeyOptions.FingerprintKey"/> (start-up says so when it is missing).
    /// </remarks>
    public static IIronCageBuilder ProtectKeysWithAwsKms(this IIronCageBuilder builder, Action<AwsKmsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<AwsKmsOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsKmsOptions>, AwsKmsOptionsValidator>());
        builder.Services.TryAddSingleton<AwsKmsKeyEncryptionKeyProvider>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IKeyEncryptionKeyProvider>(sp => sp.GetRequiredService<AwsKmsKeyEncryptionKeyProvider>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AwsKmsStartupCheck>());
        return builder;
    }
}
