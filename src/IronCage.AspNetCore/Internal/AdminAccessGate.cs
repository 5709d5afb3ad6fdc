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
        if (CrossSiteWrite(http.Request) is { } crossSite)
        {
            decision = new AdminAccessDecision { Allowed = false, StatusCode = StatusCodes.Status403Forbidden, Actor = http.User.Identity?.Name ?? "anonymous", IpAddress = http.Connection.RemoteIpAddress?.ToString(), Reason = $"A request from another site may not change keys ({crossSite}).", Fix = "Change keys from the dashboard's own pages, or call the admin API from a server or script with a bearer token." };
        }
        else if (!services.GetRequiredService<AdminRateLimiter>().TryAcquire(http.Connection.RemoteIpAddress, out var retryAfter))
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

    /// <summary>
    /// Why a state-changing request came from another site (cross-site request forgery with the dashboard's cookie), or
    /// <see langword="null"/>. The browser's own <c>Sec-Fetch-Site</c> is trusted first (it holds behind proxies that
    /// rewrite the host); without it, an <c>Origin</c> must match the request's host. A request with neither comes
    /// from no browser (a script, a server) and is not refused here.
    /// </summary>
    internal static string? CrossSiteWrite(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return null;
        }

        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is "same-origin" or "none" ? null : $"Sec-Fetch-Site: {site}";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return null;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var from)
            && string.Equals(from.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
                ? null
                : $"Origin: {origin}";
    }
}
