using IronCage.AspNetCore;
using IronCage.AspNetCore.Authorization;
using IronCage.AspNetCore.Endpoints;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps IronCage's admin REST API.</summary>
public static class IronCageAdminEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the admin API under <paramref name="prefix"/>: <c>/api-keys</c> (list, add, get, delete, rotate, revoke, kill,
    /// limits, policy, supply, verify, usage, rotations), <c>/rotations</c> (plan, one operation, cancel, resume,
    /// complete-grace), <c>/rotation-debt</c>, <c>/audit</c> (list, verify), <c>/usage/report</c>, <c>/alerts</c> and
    /// <c>/access</c>. Every route checks its permission (<see cref="AdminPermissions"/>); with no policy configured
    /// only loopback requests are answered. No route returns a key value.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="prefix">The route prefix.</param>
    /// <returns>The route group, for the host's own conventions (CORS, more authorization, OpenAPI tags).</returns>
    /// <exception cref="InvalidOperationException"><c>AddAdmin()</c> was not called on the IronCage builder.</exception>
    public static RouteGroupBuilder MapIronCageAdmin(this IEndpointRouteBuilder endpoints, string prefix = "/api/admin")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (endpoints.ServiceProvider.GetService<IronCageAccessEvaluator>() is null)
        {
            throw new InvalidOperationException("MapIronCageAdmin() needs services.AddIronCage(...).AddAdmin() (and a store, AddRotation()).");
        }

        var group = endpoints.MapGroup(prefix).WithTags("IronCage");
        KeyReadEndpoints.Map(group);
        KeyWriteEndpoints.Map(group);
        OperationEndpoints.Map(group);
        AuditEndpoints.Map(group);
        SettingsEndpoints.Map(group);
        WarnIfLoopbackOnly(endpoints.ServiceProvider, prefix);
        return group;
    }

    private static void WarnIfLoopbackOnly(IServiceProvider services, string prefix)
    {
        var policies = services.GetRequiredService<IAuthorizationPolicyProvider>();
        var missing = AdminPermissions.All.Where(p => policies.GetPolicyAsync(p).GetAwaiter().GetResult() is null).ToList();
        var logger = services.GetRequiredService<ILogger<AdminAccessOptions>>();
        if (missing.Count == AdminPermissions.All.Count)
        {
            Log.LoopbackOnly(logger, prefix);
        }
        else if (missing.Contains(AdminPermissions.Admin))
        {
            Log.PoliciesMissing(logger, prefix, string.Join(", ", missing));
        }
    }
}
