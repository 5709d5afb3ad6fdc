using IronCage;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Storage;
using IronCage.Verification;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers IronCage in a service collection.</summary>
public static class IronCageServiceCollectionExtensions
{
    /// <summary>Adds IronCage's core services. Safe to call more than once.</summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder for storage, encryption, providers and the scheduler.</returns>
    public static IIronCageBuilder AddIronCage(this IServiceCollection services) => services.AddIronCage(configure: null);

    /// <summary>
    /// Adds IronCage's core services and configures <see cref="IronCageOptions"/>. Safe to call more than once: services
    /// are added once, and every <paramref name="configure"/> applies. Options and the master key are validated at start.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>A builder for storage, encryption, providers and the scheduler.</returns>
    /// <remarks>
    /// Defaults: the system clock (a host's own NodaTime <c>IClock</c> or <c>TimeProvider</c>, registered before or after this
    /// call, drives both), the built-in provider catalog, the local master key from <c>IRONCAGE_MASTER_KEY</c>,
    /// and in-memory key store and audit log (which warn that they do not persist).
    /// </remarks>
    public static IIronCageBuilder AddIronCage(this IServiceCollection services, Action<IronCageOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        var builder = new IronCageBuilder(services);
        if (services.Any(d => d.ServiceType == typeof(IronCageMarkerService)))
        {
            return builder;
        }

        services.AddSingleton<IronCageMarkerService>();
        services.AddOptions<IronCageOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IronCageOptions>, IronCageOptionsValidator>());
        services.AddOptions<LocalMasterKeyOptions>();
        services.AddLogging();
        services.AddHttpClient(IronCageConstants.VerifyHttpClientName)
            // A redirect would carry provider key headers (x-api-key, api-key, x-goog-api-key) to another host: verify calls never follow one.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .RedactLoggedHeaders(_ => true)
            // HttpClientFactory's logging handlers write a failed request's exception text as it is, and a handler in the
            // pipeline (a proxy, a custom DelegatingHandler) may have quoted the key there; IronCage logs its own
            // verification events, scrubbed.
            .RemoveAllLoggers()
            // The host's ConfigureHttpClientDefaults handlers (AddStandardResilienceHandler) stay off: their retries would
            // multiply the provider calls one verification makes, and their timeouts would cut under VerifyTimeout.
            .ConfigureAdditionalHttpMessageHandlers(static (handlers, _) => handlers.Clear())
            // IronCageOptions.VerifyTimeout (up to 5 minutes) is the timeout; HttpClient's own 100 s default must not cut in first.
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);

        IronCageTime.Register(services);
        services.TryAddSingleton<IProviderCatalog>(sp => ProviderCatalog.BuiltIn.With(sp.GetRequiredService<IOptions<IronCageOptions>>().Value.Providers));
        services.TryAddSingleton(sp => new KeyFormatValidator(sp.GetRequiredService<IProviderCatalog>()));
        services.TryAddSingleton<ICatalogKeyVerifier, CatalogKeyVerifier>();
        services.TryAddSingleton<IKeyVerifier, KeyVerifier>();

        services.TryAddSingleton<LocalMasterKeyProvider>();
        services.TryAddSingleton<IKeyEncryptionKeyProvider>(sp => sp.GetRequiredService<LocalMasterKeyProvider>());
        services.TryAddSingleton<ISecretProtector, EnvelopeSecretProtector>();
        services.TryAddSingleton(CreateFingerprinter);

        services.TryAddSingleton<IKeyStore, InMemoryKeyStore>();
        services.TryAddSingleton<IAuditLog, InMemoryAuditLog>();
        return builder;
    }

    private static ISecretFingerprinter CreateFingerprinter(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<LocalMasterKeyOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(options.FingerprintKey))
        {
            return HmacSecretFingerprinter.FromConfiguredKey(options.FingerprintKey);
        }

        return services.GetRequiredService<IKeyEncryptionKeyProvider>() is LocalMasterKeyProvider local
            ? new HmacSecretFingerprinter(local)
            : throw new OptionsValidationException(nameof(LocalMasterKeyOptions), typeof(LocalMasterKeyOptions), ["A custom IKeyEncryptionKeyProvider is registered: set LocalMasterKeyOptions.FingerprintKey, or register an ISecretFingerprinter of your own."]);
    }
}
