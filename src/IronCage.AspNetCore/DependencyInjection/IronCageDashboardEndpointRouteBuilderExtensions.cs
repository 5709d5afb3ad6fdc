using IronCage.AspNetCore;
using IronCage.AspNetCore.Authorization;
using IronCage.AspNetCore.Dashboard;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps IronCage's operator dashboard.</summary>
public static class IronCageDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard under <paramref name="prefix"/>: server-rendered pages for key management (list, add, rotate,
    /// revoke, kill, verify, schedule, rotation history live), rotation debt, usage and cost charts, access control,
    /// rate limits and the audit log with chain verification. Its stylesheet and script are embedded; it needs no
    /// CDN. Every page and form is checked by the same <see cref="IronCageAccessEvaluator"/> as the admin API
    /// (permissions, MFA step-up, IP allow-lists, read-only mode, rate limit) and audited by
    /// <see cref="IronCageAccessAuditor"/>; every form carries an antiforgery token. With no authorization policy
    /// configured it answers loopback requests only. No page shows a key value, only hints.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="prefix">The route prefix.</param>
    /// <returns>The route group, for the host's own conventions.</returns>
    /// <exception cref="InvalidOperationException"><c>AddAdmin()</c> was not called on the IronCage builder.</exception>
    /// <remarks>
    /// Session access: the dashboard authenticates with the schemes of the permission policies (or the host's default
    /// scheme), typically a cookie; an unauthenticated visit is challenged, so a cookie scheme redirects to the host's
    /// sign-in page.
    /// </remarks>
    public static RouteGroupBuilder MapIronCageDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/ironcage")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (!prefix.StartsWith('/'))
        {
            throw new ArgumentException($"The dashboard prefix '{prefix}' must start with '/', such as \"/ironcage\".", nameof(prefix));
        }

        if (endpoints.ServiceProvider.GetService<IronCageAccessEvaluator>() is null || endpoints.ServiceProvider.GetService<IAntiforgery>() is null)
        {
            throw new InvalidOperationException("MapIronCageDashboard() needs services.AddIronCage(...).AddAdmin() (and a store, AddRotation()).");
        }

        var normalized = prefix.TrimEnd('/');
        var group = endpoints.MapGroup(normalized.Length == 0 ? "/" : normalized).ExcludeFromDescription();
        DashboardEndpoints.Map(group, normalized);
        var policies = endpoints.ServiceProvider.GetRequiredService<IAuthorizationPolicyProvider>();
        if (AdminPermissions.All.All(p => policies.GetPolicyAsync(p).GetAwaiter().GetResult() is null))
        {
            Log.LoopbackOnly(endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("IronCage.AspNetCore.Dashboard"), normalized);
        }

        return group;
    }
}
