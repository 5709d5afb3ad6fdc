using IronCage.Providers;
using IronCage.Providers.GoogleGemini;
using IronCage.Providers.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        var services = builder.AddProviderConnection<GoogleGeminiProviderOptions, GoogleGeminiProviderOptionsValidator>(name, configure, new ProviderClientSettings(GoogleGeminiConstants.HttpClientName, nameof(AddGoogleGemini)) { RetryThrottled = true });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, GoogleGeminiProviderAdapter>());
        return builder;
    }

    /// <summary>Adds a Google Gemini connection named <paramref name="name"/>, bound to a configuration section (for example <c>IronCage:Gemini</c>).</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="name">The connection's name.</param>
    /// <param name="configuration">The section with <see cref="GoogleGeminiProviderOptions"/> values (Project, AccessToken, ServiceAccountFile, BaseAddress, Timeout, MaxRetries, …).</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddGoogleGemini(this IIronCageBuilder builder, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        builder.AddGoogleGemini(name, static _ => { });
        builder.Services.AddOptions<GoogleGeminiProviderOptions>(name).Bind(configuration);
        return builder;
    }
}
