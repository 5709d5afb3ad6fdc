using IronCage.Rotation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Adds the rotation engine to IronCage.</summary>
public static class RotationIronCageBuilderExtensions
{
    /// <summary>
    /// Adds the rotation engine (<see cref="IKeyRotator"/>), an in-memory <see cref="IRotationStore"/> unless a durable
    /// one is registered, and event publishing. Safe to call more than once; every <paramref name="configure"/> applies.
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
        services.TryAddSingleton<RotationEventPublisher>();
        services.TryAddSingleton<IKeyRotator, KeyRotator>();
        return builder;
    }

    /// <summary>Adds a notification sink (a log, a webhook, Slack) that receives every rotation event.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="sink">The sink.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddNotificationSink(this IIronCageBuilder builder, INotificationSink sink)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(sink);
        builder.Services.AddSingleton(sink);
        return builder;
    }

    /// <summary>Adds an in-process subscriber that receives every rotation event.</summary>
    /// <typeparam name="TSubscriber">The subscriber type, built by the container.</typeparam>
    /// <param name="builder">The IronCage builder.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddRotationEventSubscriber<TSubscriber>(this IIronCageBuilder builder)
        where TSubscriber : class, IRotationEventSubscriber
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRotationEventSubscriber, TSubscriber>());
        return builder;
    }
}
