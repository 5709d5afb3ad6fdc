using IronCage.Auditing;
using IronCage.Encryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Registers the audit checkpoint exporter on <see cref="IIronCageBuilder"/>.</summary>
public static class AuditCheckpointIronCageBuilderExtensions
{
    /// <summary>
    /// Exports an authenticated checkpoint of the audit chain at start and on a schedule (<see cref="AuditCheckpointExporter"/>),
    /// to <see cref="AuditCheckpointExportOptions.FilePath"/> or to the <see cref="IAuditCheckpointSink"/> the host registers.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the interval and the file.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// The checkpoints' MAC key is derived from the local master key. Start-up fails with an
    /// <see cref="OptionsValidationException"/> when the options are invalid, when neither a file nor a sink is
    /// given, or when the master key is not local and no <see cref="AuditCheckpointAuthenticator"/> is registered.
    /// Resolve <see cref="AuditCheckpointExporter"/> to verify against the latest checkpoint
    /// (<see cref="AuditCheckpointExporter.VerifyAsync"/>) or export on demand.
    /// </remarks>
    public static IIronCageBuilder AddAuditCheckpointExport(this IIronCageBuilder builder, Action<AuditCheckpointExportOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.Configure(configure);
        services.AddOptions<AuditCheckpointExportOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditCheckpointExportOptions>, AuditCheckpointExportOptionsValidator>());
        services.TryAddSingleton(CreateAuthenticator);
        services.TryAddSingleton<IAuditCheckpointSink>(sp => new FileAuditCheckpointSink(
            sp.GetRequiredService<IOptions<AuditCheckpointExportOptions>>().Value.FilePath
            ?? throw new OptionsValidationException(nameof(AuditCheckpointExportOptions), typeof(AuditCheckpointExportOptions), ["AddAuditCheckpointExport needs somewhere to put checkpoints: set AuditCheckpointExportOptions.FilePath, or register an IAuditCheckpointSink."])));
        if (!services.Any(d => d.ServiceType == typeof(AuditCheckpointExporter)))
        {
            services.AddSingleton<AuditCheckpointExporter>();
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<AuditCheckpointExporter>());
        }

        return builder;
    }

    private static AuditCheckpointAuthenticator CreateAuthenticator(IServiceProvider services)
        => services.GetRequiredService<IKeyEncryptionKeyProvider>() is LocalMasterKeyProvider local
            ? new AuditCheckpointAuthenticator(local)
            : throw new OptionsValidationException(nameof(LocalMasterKeyOptions), typeof(LocalMasterKeyOptions), ["A custom IKeyEncryptionKeyProvider is registered: register an AuditCheckpointAuthenticator with a key of your own (at least 32 random bytes) for the audit checkpoints."]);
}
