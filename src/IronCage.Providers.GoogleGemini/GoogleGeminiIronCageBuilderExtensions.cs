using IronCage.Internal;
using IronCage.Providers.GoogleGemini;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Adds the Google Gemini provider adapter.</summary>
public static class GoogleGeminiIronCageBuilderExtensions
{
    /// <summary>
    /// Adds a Google Gemini connection named <paramref name="name"/>: the credential and project IronCage uses to create, list, delete and undelete Gemini API keys
    /// (Google API Keys API v2). Call it once per connection; a managed key picks
    /// its connection with the <see cref="ProviderKeyContext.ConnectionScopeKey"/> scope entry when there are several.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configure">Configures the connection.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Invalid options stop start-up with an <see cref="OptionsValidationException"/>.</remarks>
    public static IIronCageBuilder AddGoogleGemini(this IIronCageBuilder builder, string name, Action<GoogleGeminiProviderOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        ProviderConnections<GoogleGeminiProviderOptions>.Add(services, name, configure);
        services.AddOptions<GoogleGeminiProviderOptions>(name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GoogleGeminiProviderOptions>, GoogleGeminiProviderOptionsValidator>());
        services.AddHttpClient(GoogleGeminiConstants.HttpClientName)
            // A redirect would carry the bearer token or signature elsewhere; tokens and signatures never reach a log.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .RedactLoggedHeaders(_ => true);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ProviderConnections<GoogleGeminiProviderOptions>(
            sp.GetServices<ProviderConnectionName<GoogleGeminiProviderOptions>>(), sp.GetRequiredService<IOptionsMonitor<GoogleGeminiProviderOptions>>(), nameof(AddGoogleGemini)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, GoogleGeminiProviderAdapter>(sp => new GoogleGeminiProviderAdapter(
            sp.GetRequiredService<ProviderConnections<GoogleGeminiProviderOptions>>(),
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<IKeyVerifier>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<GoogleGeminiProviderAdapter>>())));
        return builder;
    }

    /// <summary>Adds a Google Gemini connection named <paramref name="name"/>, bound to a configuration section (for example <c>IronCage:Gemini</c>).</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configuration">The section with <see cref="GoogleGeminiProviderOptions"/> values (Project, AccessToken, ServiceAccountFile, Endpoint, …).</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddGoogleGemini(this IIronCageBuilder builder, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        builder.AddGoogleGemini(name, static _ => { });
        builder.Services.AddOptions<GoogleGeminiProviderOptions>(name).Bind(configuration);
        return builder;
    }
}
