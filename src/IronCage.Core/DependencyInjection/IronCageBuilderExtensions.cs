using System.Diagnostics.CodeAnalysis;
using IronCage.Encryption;
using IronCage.Providers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronCage;

/// <summary>Encryption and adapter registration on <see cref="IIronCageBuilder"/>.</summary>
public static class IronCageBuilderExtensions
{
    /// <summary>
    /// Protects stored secrets with a local master key given as base64 of 32 random bytes (for example from
    /// configuration). A null or empty value (a configuration key that is not set) leaves the
    /// <c>IRONCAGE_MASTER_KEY</c> environment variable as the source, as the start-up error for a missing key says; a
    /// short or malformed value stops start-up with a message saying how to fix it.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="base64MasterKey">The master key, base64.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder ProtectKeysWithMasterKey(this IIronCageBuilder builder, string? base64MasterKey)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ProtectKeysWithMasterKey(o =>
        {
            // Not set: the environment variable stays the fallback (the missing-key error tells the user to set it).
            o.MasterKey = string.IsNullOrWhiteSpace(base64MasterKey) ? null : base64MasterKey;
            o.MasterKeyFile = null;
        });
    }

    /// <summary>Protects stored secrets with a local master key configured in detail (including retired keys after a master-key rotation).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures where the master key comes from.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder ProtectKeysWithMasterKey(this IIronCageBuilder builder, Action<LocalMasterKeyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        builder.Services.Replace(ServiceDescriptor.Singleton<IKeyEncryptionKeyProvider>(sp => sp.GetRequiredService<LocalMasterKeyProvider>()));
        return builder;
    }

    /// <summary>Protects stored secrets with a local master key read from a file (base64 of 32 bytes; surrounding whitespace ignored).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The file's path.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder ProtectKeysWithMasterKeyFile(this IIronCageBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.ProtectKeysWithMasterKey(o =>
        {
            o.MasterKey = null;
            o.MasterKeyFile = path;
        });
    }

    /// <summary>Protects stored secrets with a local master key read from an environment variable.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="variable">The variable's name.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder ProtectKeysWithMasterKeyFromEnvironment(this IIronCageBuilder builder, string variable = IronCageConstants.MasterKeyEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(variable);
        return builder.ProtectKeysWithMasterKey(o =>
        {
            o.MasterKey = null;
            o.MasterKeyFile = null;
            o.EnvironmentVariable = variable;
        });
    }

    /// <summary>Adds a provider adapter instance. Adapters are looked up by <see cref="IProviderAdapter.Provider"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="adapter">The adapter.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddProviderAdapter(this IIronCageBuilder builder, IProviderAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(adapter);
        builder.Services.AddSingleton(adapter);
        return builder;
    }

    /// <summary>Adds a provider adapter type, built by the container. Adding the same type twice adds it once.</summary>
    /// <typeparam name="TAdapter">The adapter type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddProviderAdapter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TAdapter>(this IIronCageBuilder builder)
        where TAdapter : class, IProviderAdapter
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, TAdapter>());
        return builder;
    }
}
