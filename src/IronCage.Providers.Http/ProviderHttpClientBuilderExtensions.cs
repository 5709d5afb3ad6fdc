namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps an IronCage <see cref="System.Net.Http.HttpClient"/> free of handlers the host added for every client.</summary>
public static class ProviderHttpClientBuilderExtensions
{
    /// <summary>
    /// Removes the handlers that <c>services.ConfigureHttpClientDefaults(…)</c> added to this client (such as
    /// <c>AddStandardResilienceHandler()</c>, whose retry would resend a create that the provider already performed), and
    /// any added to this client before this call. Handlers added to the client after this call stay.
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Host-wide defaults run before a named client's own configuration, so clearing the additional handlers here
    /// removes exactly the defaults. The primary handler is set by the client's own configuration.
    /// </remarks>
    public static IHttpClientBuilder IsolateFromHttpClientDefaults(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureAdditionalHttpMessageHandlers(static (handlers, _) => handlers.Clear());
    }
}
