using IronCage.AspNetCore.Authorization;
using IronCage.AspNetCore.Internal;
using Microsoft.AspNetCore.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Puts IronCage's access control on any endpoint: an admin route, a dashboard form post, a host's own operator endpoint.</summary>
public static class IronCageEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Requires <paramref name="operation"/>'s permission (with its MFA step-up, IP allow-list, read-only mode and rate
    /// limit) for the endpoint, audits every attempt, and maps IronCage's exceptions to Problem Details.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="operation">The operation the endpoint performs.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Needs <c>AddAdmin()</c> on the IronCage builder. Endpoint filters run for route handlers (minimal APIs); other endpoints call <see cref="IronCageAccessEvaluator"/> and <see cref="IronCageAccessAuditor"/> themselves.</remarks>
    public static TBuilder RequireIronCagePermission<TBuilder>(this TBuilder builder, AdminOperation operation)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(operation);
        builder.WithMetadata(operation);
        return builder.AddEndpointFilter(new AdminAccessFilter());
    }
}
