using IronCage.Encryption;
using IronCage.Http;
using IronCage.Internal;
using IronCage.Providers;
using IronCage.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage;

/// <summary>Registers the runtime path: the key resolver, key pools, client-side rate limits and live SDK credentials.</summary>
public static class HttpIronCageBuilderExtensions
{
    /// <summary>
    /// Adds the <see cref="IKeyResolver"/>, <see cref="IKeyHealth"/>, <see cref="IClientRateLimiter"/> and
    /// <see cref="IronCageApiKeyCredentials"/>; safe to call more than once. Each is added with <c>TryAdd</c>: one a host
    /// registered first is used instead, by the resolver and by the handlers of <c>AddIronCageKey</c>.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Configures the resolver, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddKeyResolver(this IIronCageBuilder builder, Action<KeyResolverOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddResolverServices(builder.Services);
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        return builder;
    }

    /// <summary>Adds a named pool of managed keys of one provider.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The pool's name (no <c>/</c>), used with <c>AddIronCageKeyPool</c> and <see cref="IKeyResolver.ResolvePoolAsync"/>.</param>
    /// <param name="strategy">How the pool chooses a key.</param>
    /// <param name="keys">The keys in priority order, as <c>provider/name</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="FormatException">A key is not a <c>provider/name</c> reference.</exception>
    public static IIronCageBuilder AddKeyPool(this IIronCageBuilder builder, string name, PoolStrategy strategy, params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(keys);
        var references = keys.Select(KeyReference.Parse).ToArray();
        AddResolverServices(builder.Services);
        builder.Services.Configure<KeyResolverOptions>(options =>
        {
            var pool = new KeyPoolOptions { Strategy = strategy };
            foreach (var key in references)
            {
                pool.Keys.Add(key);
            }

            options.Pools[name] = pool;
        });
        return builder;
    }

    /// <summary>Limits how many requests and tokens this process sends with one managed key per window.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="key">The managed key, as <c>provider/name</c>.</param>
    /// <param name="limit">The limit.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddClientRateLimit(this IIronCageBuilder builder, string key, ClientRateLimit limit)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(limit);
        var reference = KeyReference.Parse(key);
        AddResolverServices(builder.Services);
        builder.Services.Configure<KeyResolverOptions>(options => options.RateLimits[reference] = limit);
        return builder;
    }

    internal static void AddResolverServices(IServiceCollection services)
    {
        services.AddOptions<KeyResolverOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyResolverOptions>, KeyResolverOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IronCageKeyHandlerOptions>, IronCageKeyHandlerOptionsValidator>());
        services.TryAddSingleton<IKeyHealth, KeyHealth>();
        services.TryAddSingleton<IClientRateLimiter, ClientRateLimiter>();
        services.TryAddSingleton(sp => new KeyResolver(
            sp.GetRequiredService<IKeyStore>(),
            sp.GetRequiredService<ISecretProtector>(),
            sp.GetRequiredService<IProviderCatalog>(),
            sp.GetRequiredService<IClock>(),
            sp.GetRequiredService<IOptions<KeyResolverOptions>>(),
            sp.GetRequiredService<ILogger<KeyResolver>>(),
            sp.GetServices<IKeyChangeFeed>(),
            sp.GetRequiredService<IKeyHealth>(),
            // Decided: without AddUsageTracking there is no gate (not a no-op one) and the resolver enforces no usage
            // limit; a null gate costs the hit path nothing.
            sp.GetService<IUsageGate>()));
        services.TryAddSingleton<IKeyResolver>(sp => sp.GetRequiredService<KeyResolver>());
        services.TryAddSingleton<IronCageApiKeyCredentials>();
    }
}
