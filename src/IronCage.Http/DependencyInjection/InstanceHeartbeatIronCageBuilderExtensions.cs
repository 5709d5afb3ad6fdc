using IronCage.Http;
using IronCage.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage;

/// <summary>Makes this host instance report the key versions it serves, for adoption-confirmed revocation (see docs/adoption.md).</summary>
public static class InstanceHeartbeatIronCageBuilderExtensions
{
    /// <summary>
    /// Counts, in the key handlers of <c>AddIronCageKey</c>, the requests in flight per key version (an interlocked
    /// counter per version, no allocation per request), and sends a heartbeat every
    /// <see cref="InstanceHeartbeatOptions.Interval"/> to the <see cref="IInstanceHeartbeatStore"/>: the versions this
    /// instance serves, its in-flight requests per version, and <see cref="KeyVersion.LastUsedAt"/> of the versions
    /// it used (batched). On a graceful stop it removes its heartbeat. Safe to call more than once.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Configures the instance id and the interval.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// The heartbeat store is the shared store's (<c>PersistToSqlite</c>, <c>PersistToPostgreSql</c>), or in memory
    /// when none is registered. The rotating side waits for the heartbeats with <c>WaitForKeyAdoption()</c>.
    /// </remarks>
    public static IIronCageBuilder AddInstanceHeartbeat(this IIronCageBuilder builder, Action<InstanceHeartbeatOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        HttpIronCageBuilderExtensions.AddResolverServices(services);
        var options = services.AddOptions<InstanceHeartbeatOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InstanceHeartbeatOptions>, InstanceHeartbeatOptionsValidator>());
        services.TryAddSingleton<KeyActivityTracker>();
        services.TryAddSingleton<IInstanceHeartbeatStore>(sp => sp.GetRequiredService<IKeyStore>() is InMemoryKeyStore keys ? new InMemoryInstanceHeartbeatStore(keys) : new InMemoryInstanceHeartbeatStore());
        services.TryAddSingleton(sp => new InstanceHeartbeatPublisher(
            sp.GetRequiredService<KeyActivityTracker>(),
            sp.GetRequiredService<IKeyResolver>(),
            sp.GetRequiredService<IInstanceHeartbeatStore>(),
            sp.GetRequiredService<IClock>(),
            sp.GetRequiredService<IOptions<InstanceHeartbeatOptions>>(),
            sp.GetRequiredService<ILogger<InstanceHeartbeatPublisher>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InstanceHeartbeatService>(sp => new InstanceHeartbeatService(
            sp.GetRequiredService<InstanceHeartbeatPublisher>(),
            sp.GetRequiredService<IOptions<InstanceHeartbeatOptions>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<ILogger<InstanceHeartbeatService>>())));
        return builder;
    }
}
