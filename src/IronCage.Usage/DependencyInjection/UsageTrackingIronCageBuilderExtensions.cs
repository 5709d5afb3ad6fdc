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
    /// the live counters and raises alerts. Options are validated at start. Safe to call more than once: services are
    /// added once, and every <paramref name="configure"/> applies.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Configures flushing, prices, the unpriced-model policy and alerts.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Without this call IronCage registers no recorder, gate or guard (only the in-memory <see cref="IUsageStore"/>): the
    /// runtime path resolves them with <c>GetService</c> and tracks nothing when they are absent.
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
        services.TryAddSingleton<UsageRecorder>();
        services.TryAddSingleton<IUsageRecorder>(sp => sp.GetRequiredService<UsageRecorder>());
        services.TryAddSingleton<IUsageGate>(sp => sp.GetRequiredService<UsageRecorder>());
        services.TryAddSingleton<IBudgetGuard, UsageBudgetGuard>();
        services.TryAddSingleton<IUsageQuery, UsageQuery>();
        services.TryAddSingleton<UsageAlertMonitor>();
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
