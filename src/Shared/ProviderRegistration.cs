using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IronCage.Internal;

/// <summary>
/// What every <c>Add&lt;Provider&gt;(name, …)</c> registers: the named connection, its options validated at start, the
/// package's HTTP client (no redirects, headers redacted from logs), a <see cref="TimeProvider"/> and the connection
/// selector. The caller adds its adapter (OpenRouter's is also a usage reporter).
/// </summary>
/// <remarks>Shared source: compiled into each provider package.</remarks>
internal static class ProviderRegistration
{
    /// <summary>Adds the connection <paramref name="name"/> and, once, the services the package's adapter needs.</summary>
    /// <typeparam name="TOptions">The provider's options type.</typeparam>
    /// <typeparam name="TValidator">The options' validator.</typeparam>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configure">Configures the connection.</param>
    /// <param name="httpClientName">The name of the package's <see cref="HttpClient"/>.</param>
    /// <param name="addMethod">The public method's name, for error messages.</param>
    /// <returns>The service collection, to add the adapter to.</returns>
    public static IServiceCollection AddConnection<TOptions, TValidator>(IIronCageBuilder builder, string name, Action<TOptions> configure, string httpClientName, string addMethod)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        ProviderConnections<TOptions>.Add(services, name, configure);
        services.AddOptions<TOptions>(name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        services.AddHttpClient(httpClientName)
            // A redirect would carry the admin key, bearer token or signature elsewhere; none of them may reach a log.
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .RedactLoggedHeaders(static _ => true);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ProviderConnections<TOptions>(sp.GetServices<ProviderConnectionName<TOptions>>(), sp.GetRequiredService<IOptionsMonitor<TOptions>>(), addMethod));
        return services;
    }
}
