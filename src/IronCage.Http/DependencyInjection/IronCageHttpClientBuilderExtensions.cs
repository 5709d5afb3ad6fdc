using IronCage;
using IronCage.Http;
using IronCage.Internal;
using IronCage.Usage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts IronCage-managed keys on the requests of a named or typed HttpClient.</summary>
public static class IronCageHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds the IronCage handlers: every request of this client carries the current key of <paramref name="key"/>. Two
    /// handlers are added, in this order: the key handler (resolve, auth, one refresh after 401, failover) and, when usage
    /// tracking is on, the usage handler (budget hold, usage capture). Add <c>AddStandardResilienceHandler()</c> before
    /// this call, so that each of its retries goes through IronCage again (docs/runtime.md). The client's primary handler
    /// no longer follows redirects: a 3xx answer goes to the caller, so the key never reaches another origin.
    /// </summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="key">The managed key, as <c>provider/name</c> (for example <c>openai/prod</c>).</param>
    /// <param name="configure">Configures the handlers, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="FormatException"><paramref name="key"/> is not a <c>provider/name</c> reference.</exception>
    /// <remarks>Needs <c>AddIronCage()</c>; the key resolver is added if it is not there yet.</remarks>
    public static IHttpClientBuilder AddIronCageKey(this IHttpClientBuilder builder, string key, Action<IronCageKeyHandlerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var reference = KeyReference.Parse(key);
        return builder.AddHandlers(KeyTarget.ForKey(reference), configure);
    }

    /// <summary>Adds the IronCage handlers over a key pool: each request takes a key by the pool's strategy and fails over to the next on 401, 403, 429 or an exhausted quota (at most once per key of the pool).</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="pool">The pool's name, as registered with <c>AddKeyPool</c>.</param>
    /// <param name="configure">Configures the handlers, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddIronCageKeyPool(this IHttpClientBuilder builder, string pool, Action<IronCageKeyHandlerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(pool);
        return builder.AddHandlers(KeyTarget.ForPool(pool), configure);
    }

    private static IHttpClientBuilder AddHandlers(this IHttpClientBuilder builder, KeyTarget target, Action<IronCageKeyHandlerOptions>? configure)
    {
        HttpIronCageBuilderExtensions.AddResolverServices(builder.Services);
        var options = builder.Services.AddOptions<IronCageKeyHandlerOptions>(builder.Name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // Checked when the host starts, not at the first request: the handler's settings, and that the key's provider
        // is one IronCage knows (a typo such as "opneai/prod" otherwise fails only when the client is first used).
        options.ValidateOnStart();
        if (target.Key is { } reference)
        {
            options.Validate<IronCage.Providers.IProviderCatalog>(
                (handlerOptions, catalog) => catalog.TryGetDescriptor(reference.Provider, out var known),
                $"AddIronCageKey(\"{reference}\") on HttpClient '{builder.Name}': '{reference.Provider}' is not a provider IronCage knows. Use a provider id of the catalog (openai, anthropic, google-gemini, azure-openai, aws-bedrock, openrouter, ...) or add the provider's descriptor to IronCageOptions.Providers.");
        }

        var name = builder.Name;

        // A followed redirect would carry x-api-key, api-key, x-goog-api-key or ?key= to another origin. The key
        // handler also checks the primary handler before its first request, for a host that replaces it later.
        builder.ConfigurePrimaryHttpMessageHandler(static (handler, _) => RedirectGuard.DisableAutoRedirect(handler));
        return builder.ConfigureAdditionalHttpMessageHandlers((handlers, sp) =>
        {
            var settings = sp.GetRequiredService<IOptionsMonitor<IronCageKeyHandlerOptions>>().Get(name);
            var clock = sp.GetRequiredService<IClock>();
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            var strategy = target.Pool is { } pool && sp.GetRequiredService<IOptions<KeyResolverOptions>>().Value.Pools.TryGetValue(pool, out var definition)
                ? definition.Strategy
                : PoolStrategy.Priority;
            var recorder = sp.GetService<IUsageRecorder>();
            var guard = sp.GetService<IBudgetGuard>();
            var usageNeeded = IronCageUsageHandler.IsNeeded(recorder, guard, settings);
            handlers.Add(new IronCageKeyHandler(
                sp.GetRequiredService<IKeyResolver>(),
                sp.GetRequiredService<IKeyHealth>(),
                sp.GetRequiredService<IClientRateLimiter>(),
                target,
                settings,
                clock,
                loggers.CreateLogger("IronCage.Http.IronCageKeyHandler"),
                readsHeadroom: strategy == PoolStrategy.MostHeadroom,
                usageHandlerFollows: usageNeeded,
                activity: sp.GetService<KeyActivityTracker>()));

            if (usageNeeded)
            {
                handlers.Add(new IronCageUsageHandler(recorder, guard, settings, clock, loggers.CreateLogger("IronCage.Http.IronCageUsageHandler")));
            }
        });
    }
}
