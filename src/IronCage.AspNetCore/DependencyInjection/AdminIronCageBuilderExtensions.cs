using IronCage.AspNetCore.Authorization;
using IronCage.AspNetCore.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronCage;

/// <summary>Adds IronCage's operator surface services.</summary>
public static class AdminIronCageBuilderExtensions
{
    /// <summary>
    /// Adds what <c>MapIronCageAdmin()</c> and <c>MapIronCageDashboard()</c> need: the access evaluator, the access
    /// auditor, the rate limiter, ASP.NET Core authorization and antiforgery (the dashboard's forms). Register authorization policies named after <see cref="AdminPermissions"/> to open the API
    /// beyond loopback. Safe to call twice.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">MFA claim, IP allow-lists, read-only mode, rate limit.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddAdmin(this IIronCageBuilder builder, Action<AdminAccessOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<AdminAccessOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddAuthorization();
        services.AddAntiforgery();
        services.TryAddSingleton<IronCageAccessEvaluator>();
        services.TryAddSingleton<IronCageAccessAuditor>();
        services.TryAddSingleton<AdminRateLimiter>();
        return builder;
    }
}
