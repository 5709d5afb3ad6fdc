using IronCage.Usage;
using IronCage.Usage.Pricing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Adds usage tracking: recording, limits, budgets, alerts, cost and queries.</summary>
public static class UsageTrackingIronCageBuilderExtensions
{
    /// <summary>
    /// Adds usage tracking: <see cref="IUsageRecorder"/>, <see cref="IUsageGate"/>, <see cref="IBudgetGuard"/>,
    /// <see cref="IUsageQuery"/>, <see cref="IPriceCatalog"/> and a hosted service that flushes recorded usage, refreshes
    /// the live counters and raises alerts, which reach the notification sinks (<c>AddWebhookNotifications</c>, …) as
    /// <see cref="UsageAlertRaised"/> events, or the log when there is no sink. Options are validated at start. Safe to call more than once: services are
    /// added once, and every <paramref name="configure"/> applies.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Configures flushing, prices, the unpriced-model policy and alerts.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Without this call IronCage registers no usage service at all (no store, recorder, gate or guard): the runtime path
    /// resolves them with <c>GetService</c>, tracks nothing and enforces no usage limit when they are absent. A storage
    /// package (<c>PersistToSqlite</c>, <c>PersistToPostgreSql</c>) fills the <see cref="IUsageStore"/> slot; otherwise
    /// this call adds the in-memory one. Limits are read from the key store and reloaded when the key change feed
    /// announces a key; a store that announces other instances' flushes (<see cref="IUsageChangeFeed"/>) brings their
    /// usage to this instance's gate within about one <see cref="UsageTrackingOptions.FlushInterval"/>.
    /// </remarks>
    public static IIronCageBuilder AddUsageTracking(this IIronCageBuilder builder, Action<UsageTrackingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddOptions<UsageTrackingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UsageTrackingOptions>, UsageTrackingOptionsValidator>());
        services.TryAddSingleton<IUsageStore, InMemoryUsageStore>();
        services.TryAddSingleton<IPriceCatalog>(sp => UsageTrackingServiceCollection.CreateCatalog(sp.GetRequiredService<IOptions<UsageTrackingOptions>>().Value));
        services.TryAddSingleton<UsagePricing>();
        services.TryAddSingleton<LiveUsageCache>();
        services.TryAddSingleton<UsageRecorder>();
        services.TryAddSingleton<IUsageRecorder>(sp => sp.GetRequiredService<UsageRecorder>());
        services.TryAddSingleton<IUsageGate>(sp => sp.GetRequiredService<UsageRecorder>());
        services.TryAddSingleton<IBudgetGuard, UsageBudgetGuard>();
        services.TryAddSingleton<IUsageQuery, UsageQuery>();
        services.TryAddSingleton<UsageAlertMonitor>();

        // Usage alerts reach the notification sinks (logger, webhook, Slack) through the outbox.
        builder.AddNotifications();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IUsageAlertSink, UsageAlertNotificationBridge>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, UsageTrackingService>());
        return builder;
    }
}

/// <summary>Builds the price catalog the options describe.</summary>
internal static class UsageTrackingServiceCollection
{
    public static IPriceCatalog CreateCatalog(UsageTrackingOptions options)
        => options.UseBuiltInPrices
            ? PriceCatalog.BuiltIn.With(options.Prices)
            : PriceCatalog.Create("custom", options.Prices);
}
