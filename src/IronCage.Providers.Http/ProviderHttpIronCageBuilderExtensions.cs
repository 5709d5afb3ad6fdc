using System.Diagnostics.CodeAnalysis;
using IronCage.Providers.Http;
using IronCage.Providers.Http.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Registers provider connections and the HTTP client every provider package (built-in or custom) uses.</summary>
public static class ProviderHttpIronCageBuilderExtensions
{
    /// <summary>
    /// Adds the connection <paramref name="name"/> of a provider package and, once per package, what its adapter needs:
    /// the options validated at start (<see cref="ProviderHttpOptionsValidator{TOptions}"/> and
    /// <typeparamref name="TValidator"/>), <see cref="ProviderConnections{TOptions}"/>, a <see cref="TimeProvider"/>, and
    /// the package's <see cref="HttpClient"/>: no redirects, headers redacted from logs, none of the host's
    /// <c>ConfigureHttpClientDefaults</c> handlers, and IronCage's resilience pipeline (one per connection).
    /// </summary>
    /// <typeparam name="TOptions">The provider's options type.</typeparam>
    /// <typeparam name="TValidator">The package's own checks of its options.</typeparam>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configure">Configures the connection.</param>
    /// <param name="client">The package's client name, its public add method and its throttling rule.</param>
    /// <returns>The service collection, to add the adapter to.</returns>
    public static IServiceCollection AddProviderConnection<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(this IIronCageBuilder builder, string name, Action<TOptions> configure, ProviderClientSettings client)
        where TOptions : ProviderHttpOptions
        where TValidator : class, IValidateOptions<TOptions>
    {
        var services = builder.AddProviderConnection(name, configure, client);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services;
    }

    /// <summary>
    /// Adds the connection <paramref name="name"/> of a provider package whose options need no checks beyond
    /// <see cref="ProviderHttpOptionsValidator{TOptions}"/>; see the overload with a validator.
    /// </summary>
    /// <typeparam name="TOptions">The provider's options type.</typeparam>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configure">Configures the connection.</param>
    /// <param name="client">The package's client name, its public add method and its throttling rule.</param>
    /// <returns>The service collection, to add the adapter to.</returns>
    public static IServiceCollection AddProviderConnection<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(this IIronCageBuilder builder, string name, Action<TOptions> configure, ProviderClientSettings client)
        where TOptions : ProviderHttpOptions
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(client);
        var services = builder.Services;

        // TryAddEnumerable refuses an instance whose type is the service type (it cannot tell entries apart by type), so
        // a repeated name is skipped by value instead.
        var entry = new ProviderConnectionName<TOptions>(name);
        if (!services.Any(d => d.ServiceType == typeof(ProviderConnectionName<TOptions>) && Equals(d.ImplementationInstance, entry)))
        {
            services.AddSingleton(entry);
        }

        services.AddOptions<TOptions>(name).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, ProviderHttpOptionsValidator<TOptions>>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ProviderConnections<TOptions>(sp.GetServices<ProviderConnectionName<TOptions>>(), sp.GetRequiredService<IOptionsMonitor<TOptions>>(), client.AddMethod));
        AddClient<TOptions>(services, client);
        return services;
    }

    private static void AddClient<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(IServiceCollection services, ProviderClientSettings client)
        where TOptions : ProviderHttpOptions
    {
        var marker = new ProviderClientMarker(client.HttpClientName);
        if (services.Any(d => d.ServiceType == typeof(ProviderClientMarker) && Equals(d.ImplementationInstance, marker)))
        {
            return;
        }

        services.AddSingleton(marker);
        services.AddHttpClient(client.HttpClientName)
            .IsolateFromHttpClientDefaults()
            // A redirect would carry the admin key, bearer token or signature elsewhere; none of them may reach a log.
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .RedactLoggedHeaders(static _ => true)
            // HttpClientFactory's logging handlers would write a failed attempt's exception text unscrubbed; the
            // pipeline logs its own attempts.
            .RemoveAllLoggers()
            .AddResilienceHandler(ProviderHttpConstants.PipelineName, (pipeline, context) =>
            {
                var connection = context.InstanceName;
                var settings = context.ServiceProvider.GetRequiredService<IOptionsMonitor<TOptions>>().Get(connection);
                var logger = context.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger("IronCage.Providers.Http") ?? NullLogger.Instance;
                ProviderResiliencePipeline.Configure(pipeline, settings, client.RetryThrottled, logger, connection);
            })
            // One pipeline (settings, circuit breaker) per connection.
            .SelectPipelineBy(static _ => static request => request.Options.TryGetValue(ProviderRequestOptions.Connection, out var connection) ? connection : string.Empty);

        // Innermost: each attempt's answer is read (bounded) inside the attempt, where the timeout and the retry decision see it.
        services.AddHttpClient(client.HttpClientName).AddHttpMessageHandler(static () => new ProviderResponseBuffer());
    }

    private sealed record ProviderClientMarker(string HttpClientName);
}
