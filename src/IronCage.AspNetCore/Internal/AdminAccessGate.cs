using System.Globalization;
using IronCage.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronCage.AspNetCore.Internal;

/// <summary>
/// The one access path of the operator surface, shared by the admin API's endpoint filter and the dashboard: the
/// per-address rate limit, then <see cref="IronCageAccessEvaluator"/>; a refusal is logged. The caller audits the
/// attempt with <see cref="IronCageAccessAuditor"/> once it knows the status it answers.
/// </summary>
internal static class AdminAccessGate
{
    public static async Task<AdminAccessDecision> DecideAsync(HttpContext http, AdminOperation operation, ILogger logger)
    {
        var services = http.RequestServices;
        AdminAccessDecision decision;
        if (!services.GetRequiredService<AdminRateLimiter>().TryAcquire(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", out var retryAfter))
        {
            decision = new AdminAccessDecision { Allowed = false, StatusCode = StatusCodes.Status429TooManyRequests, Actor = http.User.Identity?.Name ?? "anonymous", IpAddress = http.Connection.RemoteIpAddress?.ToString(), Reason = "Too many admin requests from this address.", Fix = $"Wait{(retryAfter is { } after ? $" {Math.Ceiling(after.TotalSeconds)} s" : string.Empty)} and try again, or raise AdminAccessOptions.RateLimitPermits." };
            if (retryAfter is { } wait)
            {
                http.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }
        }
        else
        {
            decision = await services.GetRequiredService<IronCageAccessEvaluator>().EvaluateAsync(http, operation).ConfigureAwait(false);
        }

        if (!decision.Allowed)
        {
            Log.AccessDenied(logger, operation.Name, decision.Actor, decision.IpAddress, decision.StatusCode, decision.Reason);
        }

        return decision;
    }
}
