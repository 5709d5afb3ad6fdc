using IronCage;
using IronCage.Internal;
using IronCage.Usage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts IronCage-managed keys on the requests of a named or typed HttpClient.</summary>
public static class IronCageHttpClientBuilderExtensions
{
    /// <summary>Adds the IronCage handler: every request of this client carries the current key of <paramref name="key"/>.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="key">The managed key, as <c>provider/name</c> (for example <c>openai/prod</c>).</param>
    /// <param name="configure">Configures the handler, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="FormatException"><paramref name="key"/> is not a <c>provider/name</c> reference.</exception>
    /// <remarks>Needs <c>AddIronCage()</c>; the key resolver is added if it is not there yet.</remarks>
    public static IHttpClientBuilder AddIronCageKey(this IHttpClientBuilder builder, string key, Action<IronCageKeyHandlerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var reference = KeyReference.Parse(key);
        return builder.AddHandler(KeyTarget.ForKey(reference), configure);
    }

    /// <summary>Adds the IronCage handler over a key pool: each request takes a key by the pool's strategy and fails over to the next on 401, 403, 429 or an exhausted quota.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="pool">The pool's name, as registered with <c>AddKeyPool</c>.</param>
    /// <param name="configure">Configures the handler, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddIronCageKeyPool(this IHttpClientBuilder builder, string pool, Action<IronCageKeyHandlerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(pool);
        return builder.AddHandler(KeyTarget.ForPool(pool), configure);
    }

    private static IHttpClientBuilder AddHandler(this IHttpClientBuilder builder, KeyTarget target, Action<IronCageKeyHandlerOptions>? configure)
    {
        HttpIronCageBuilderExtensions.AddResolverServices(builder.Services);
        var options = builder.Services.AddOptions<IronCageKeyHandlerOptions>(builder.Name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        var name = builder.Name;
        return builder.AddHttpMessageHandler(sp =>
        {
            var resolver = sp.GetRequiredService<KeyResolver>();
            var strategy = target.Pool is { } pool && sp.GetRequiredService<IOptions<KeyResolverOptions>>().Value.Pools.TryGetValue(pool, out var definition)
                ? definition.Strategy
                : PoolStrategy.Priority;
            return new IronCageKeyHandler(
                resolver,
                target,
                sp.GetRequiredService<IOptionsMonitor<IronCageKeyHandlerOptions>>().Get(name),
                sp.GetRequiredService<IClock>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("IronCage.Http.IronCageKeyHandler"),
                sp.GetService<IUsageRecorder>(),
                sp.GetService<IBudgetGuard>(),
                readsHeadroom: strategy == PoolStrategy.MostHeadroom);
        });
    }
}
