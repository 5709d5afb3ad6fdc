using System.Diagnostics.CodeAnalysis;
using IronCage.Auditing;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Adds the rotation engine to IronCage.</summary>
public static class RotationIronCageBuilderExtensions
{
    /// <summary>
    /// Adds the rotation engine (<see cref="IKeyRotator"/>), an in-memory <see cref="IRotationStore"/> unless a durable
    /// one is registered, and event publishing (in-process subscribers, and the notification outbox for the sinks). Safe to call more than once; every <paramref name="configure"/> applies.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Configures retries and back-off.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddRotation(this IIronCageBuilder builder, Action<RotationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddOptions<RotationOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RotationOptions>, RotationOptionsValidator>());
        services.TryAddSingleton<IRotationStore, InMemoryRotationStore>();
        services.TryAddSingleton<IRotationStepStore>(sp => new SequentialRotationStepStore(sp.GetRequiredService<IKeyStore>(), sp.GetRequiredService<IAuditLog>(), sp.GetRequiredService<IRotationStore>()));
        services.TryAddSingleton<RotationEventPublisher>();
        services.TryAddSingleton<RotationDueEvaluator>();
        services.TryAddSingleton<RotationProviders>();
        services.TryAddSingleton<RotationJournal>();
        services.TryAddSingleton<ManagedKeyWriter>();
        services.TryAddSingleton<OperationRecorder>();
        services.TryAddSingleton<SecretSealer>();
        services.TryAddSingleton<FailureDescriber>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, StoredSecretStartupCheck>());
        services.TryAddSingleton<OrphanSweep>();
        services.TryAddSingleton<KeyDistributor>();
        services.TryAddSingleton<IKeyRewrapper, KeyRewrapper>();
        services.TryAddSingleton<BackupSecretCheck>();
        services.TryAddSingleton<IKeyStoreBackup, KeyStoreBackup>();
        services.TryAddSingleton<IInstanceHeartbeatStore>(sp => sp.GetRequiredService<IKeyStore>() is InMemoryKeyStore keys ? new InMemoryInstanceHeartbeatStore(keys) : new InMemoryInstanceHeartbeatStore());
        services.TryAddSingleton<AdoptionGate>();
        if (!services.Any(d => d.ServiceType == typeof(IRotationStrategy)))
        {
            // One strategy per tier; a new tier is a new strategy registered here.
            services.AddSingleton<IRotationStrategy, CreateAndRetireStrategy>();
            services.AddSingleton<IRotationStrategy, SlotAlternatingStrategy>();
            services.AddSingleton<IRotationStrategy>(sp => SuppliedKeyStrategy.SemiAutomatic(sp.GetRequiredService<RotationProviders>()));
            services.AddSingleton<IRotationStrategy>(sp => SuppliedKeyStrategy.Manual(sp.GetRequiredService<RotationProviders>()));
            services.AddSingleton<IRotationStrategy, GeneratedKeyStrategy>();
        }

        services.TryAddSingleton<RotationStrategies>();
        services.TryAddSingleton<NewKeySteps>();
        services.TryAddSingleton<RetirementSteps>();
        services.TryAddSingleton<RotationRollback>();
        services.TryAddSingleton<RotationEngine>();
        services.TryAddSingleton<SuppliedKeyIntake>();
        services.TryAddSingleton<KeyRegistrar>();
        services.TryAddSingleton<KeySettingsEditor>();
        services.TryAddSingleton<RotationPlanner>();
        services.TryAddSingleton<IKeyRotator, KeyRotator>();
        builder.AddNotifications();
        return builder;
    }

    /// <summary>
    /// Adds the rotation engine and the scheduler, a hosted service that rotates keys when their policies say so,
    /// finishes grace periods, reminds people of keys they must rotate, and warns before provider-side expiry.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Configures the scheduler.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddRotationScheduler(this IIronCageBuilder builder, Action<RotationSchedulerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddRotation();
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddOptions<RotationSchedulerOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RotationSchedulerOptions>, RotationSchedulerOptionsValidator>());
        if (!services.Any(d => d.ServiceType == typeof(RotationScheduler)))
        {
            services.TryAddSingleton<OverdueReminders>();
            services.TryAddSingleton<ExpiryWarnings>();
            services.TryAddSingleton(sp => new ScheduledNotices(sp.GetRequiredService<OverdueReminders>(), sp.GetRequiredService<ExpiryWarnings>()));
            services.TryAddSingleton<DueWorkQuery>();
            services.TryAddSingleton<ScheduledKeyWork>();
            services.TryAddSingleton<KeyLeaseRunner>();
            services.AddSingleton(sp => new RotationScheduler(
                sp.GetRequiredService<DueWorkQuery>(),
                sp.GetRequiredService<ScheduledKeyWork>(),
                sp.GetRequiredService<KeyLeaseRunner>(),
                sp.GetRequiredService<NodaTime.IClock>(),
                sp.GetRequiredService<IOptions<RotationSchedulerOptions>>(),
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RotationScheduler>>()));
            services.AddHostedService(sp => sp.GetRequiredService<RotationScheduler>());
        }

        return builder;
    }

    /// <summary>Adds an in-process subscriber that receives every rotation event.</summary>
    /// <typeparam name="TSubscriber">The subscriber type, built by the container.</typeparam>
    /// <param name="builder">The IronCage builder.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddRotationEventSubscriber<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSubscriber>(this IIronCageBuilder builder)
        where TSubscriber : class, IRotationEventSubscriber
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRotationEventSubscriber, TSubscriber>());
        return builder;
    }
}
