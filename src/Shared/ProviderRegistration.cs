using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IronCage.Internal;

/// <summary>What every <c>Add&lt;Provider&gt;(name, …)</c> registers besides its adapter: the named connection, its validated options, its HTTP client and the connection selector.</summary>
/// <remarks>Shared source: compiled into each provider package.</remarks>
internal static class ProviderRegistration
{
    public static IServiceCollection AddConnection<TOptions, TValidator>(IIronCageBuilder builder, string name, Action<TOptions> configure, string httpClientName, string addMethod)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        ProviderConnections<TOptions>.Add(services, name, configure);
        services.AddOptions<TOptions>(name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        services.AddHttpClient(httpClientName);
        services.TryAddSingleton(sp => new ProviderConnections<TOptions>(sp.GetServices<ProviderConnectionName<TOptions>>(), sp.GetRequiredService<IOptionsMonitor<TOptions>>(), addMethod));
        return services;
    }
}
