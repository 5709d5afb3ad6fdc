using IronCage.Leaks.Egress;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds IronCage's egress guard to an HTTP client.</summary>
public static class LeakEgressGuardHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds a handler that refuses to send a request whose body contains a managed key's value, with a
    /// <see cref="LeakedKeyEgressException"/>, a <c>key.egress-blocked</c> audit record and an alert. Add it before
    /// <c>AddIronCageKey()</c> and the usage handler, so it is the outermost IronCage handler: a refused request never
    /// reserves budget or touches a key.
    /// </summary>
    /// <param name="builder">The HTTP client builder.</param>
    /// <param name="configure">Configures the guard.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddLeakEgressGuard(this IHttpClientBuilder builder, Action<LeakEgressGuardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<LeakEgressGuardOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton<LeakEgressGuard>();
        builder.Services.TryAddTransient<LeakEgressGuardHandler>();
        return builder.AddHttpMessageHandler<LeakEgressGuardHandler>();
    }
}
