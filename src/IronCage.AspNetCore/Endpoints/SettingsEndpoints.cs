using System.Text;
using IronCage.AspNetCore.Authorization;
using IronCage.AspNetCore.Internal;
using IronCage.Storage;
using IronCage.Usage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Text;

namespace IronCage.AspNetCore.Endpoints;

/// <summary>Usage reports (JSON and CSV downloads), alert configuration, and who may do what.</summary>
internal static class SettingsEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/usage/report", ReportAsync).Admin("usage.report", AdminPermissions.KeysRead, "Usage report download", "from/to (ISO instants; default the last 30 days), granularity (minute, hour, day, month), key (provider/name), byModel, format (json or csv).")
            .Produces<string>(StatusCodes.Status200OK, "application/json", "text/csv");
        group.MapGet("/alerts", AlertsAsync).Admin("settings.alerts", AdminPermissions.Admin, "Alert configuration", "Each key's usage limits and the fractions of them at which alerts are raised, ordered by id: filter provider; paging: page (from 1), pageSize (1–500, default 50). Change them with PUT .../limits.").Produces<AlertsView>();
        group.MapGet("/access", AccessAsync).Admin("settings.access", AdminPermissions.Admin, "Access control", "Which permissions have a policy, their IP allow-lists, MFA settings and the operations each permission opens.").Produces<AccessView>();
    }

    private static async Task<IResult> ReportAsync(HttpContext http, IClock clock, string? from, string? to, string? granularity, string? key, bool? byModel, string? format)
    {
        if (http.RequestServices.GetService<IUsageQuery>() is not { } usage)
        {
            return AdminProblems.Status(StatusCodes.Status404NotFound, "Usage tracking is off.", "This host does not track usage.", "usage-off", new Dictionary<string, object?> { ["fix"] = "Call AddUsageTracking() on the IronCage builder." });
        }

        var now = clock.GetCurrentInstant();
        if (!TryInstant(from, now - Duration.FromDays(30), out var start))
        {
            return AdminProblems.Field("from", $"'{from}' is not an instant.", "Use ISO 8601 UTC, such as 2026-11-01T00:00:00Z.");
        }

        if (!TryInstant(to, now, out var end))
        {
            return AdminProblems.Field("to", $"'{to}' is not an instant.", "Use ISO 8601 UTC, such as 2026-12-01T00:00:00Z.");
        }

        var window = UsageWindow.Day;
        if (granularity is not null && !Enum.TryParse(granularity, ignoreCase: true, out window))
        {
            return AdminProblems.Field("granularity", $"Unknown granularity '{granularity}'.", "Use minute, hour, day or month.");
        }

        KeyReference? only = null;
        if (key is not null)
        {
            if (!KeyReference.TryParse(key, out var parsed))
            {
                return AdminProblems.Field("key", $"'{key}' is not a key reference.", "Use provider/name, such as openai/prod.");
            }

            only = parsed;
        }

        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
        if (format is not null && !csv && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            return AdminProblems.Field("format", $"Unknown format '{format}'.", "Use json or csv.");
        }

        var report = await usage.GetReportAsync(start, end, window, only, byModel ?? false, http.RequestAborted).ConfigureAwait(false);
        var name = $"ironcage-usage-{InstantPattern.General.Format(start).Replace(':', '-')}.{(csv ? "csv" : "json")}";
        return Results.File(Encoding.UTF8.GetBytes(csv ? report.ToCsv() : report.ToJson()), csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8", name);
    }

    private static async Task<IResult> AlertsAsync(HttpContext http, IKeyStore keys, IClock clock, string? provider, int? page, int? pageSize)
    {
        if (KeyListFilter.CheckPaging(page, pageSize, out var number, out var size) is { } outOfRange)
        {
            return outOfRange;
        }

        // Paged in the store like the key list, so a store of 10,000 keys is not read whole for one answer.
        var (found, _) = await new KeyListFilter(provider, null, null, null).PageAsync(keys, clock.GetCurrentInstant(), number, size, clampToLast: false, http.RequestAborted).ConfigureAwait(false);
        var views = found.Keys.Select(key => new KeyAlertsView(key.Reference.ToString(), key.Limits.AlertThresholds, [.. key.Limits.Limits.Select(AdminViews.Limit)])).ToList();
        return Results.Json(new AlertsView(UsageLimits.None.AlertThresholds, views, found.Total, number, size), AdminJson.Options);
    }

    private static async Task<IResult> AccessAsync(HttpContext http, IAuthorizationPolicyProvider policies, IOptions<AdminAccessOptions> options, EndpointDataSource endpoints)
    {
        var access = options.Value;
        var operations = endpoints.Endpoints.Select(e => e.Metadata.GetMetadata<AdminOperation>()).OfType<AdminOperation>().DistinctBy(o => o.Name).ToList();
        var views = new List<PermissionView>();
        foreach (var permission in AdminPermissions.All)
        {
            var configured = await policies.GetPolicyAsync(permission).ConfigureAwait(false) is not null;
            var networks = access.AllowedNetworks.TryGetValue(permission, out var list) ? list.Select(n => n.ToString()).ToList() : [];
            views.Add(new PermissionView(permission, configured, networks, [.. operations.Where(o => o.Permission == permission).Select(o => o.RequiresMfa || o.RequiresMfaWhen is not null ? o.Name + " (MFA)" : o.Name)]));
        }

        return Results.Json(new AccessView(access.ReadOnly, access.MfaClaimType, [.. access.MfaClaimValues.Order(StringComparer.Ordinal)], views, access.RateLimitPermits, access.RateLimitWindow), AdminJson.Options);
    }

    private static bool TryInstant(string? text, Instant fallback, out Instant instant)
    {
        if (text is null)
        {
            instant = fallback;
            return true;
        }

        var parsed = InstantPattern.ExtendedIso.Parse(text);
        instant = parsed.Success ? parsed.Value : default;
        return parsed.Success;
    }
}
