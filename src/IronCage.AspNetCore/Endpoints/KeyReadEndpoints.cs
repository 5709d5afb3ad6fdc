using IronCage.Auditing;
using IronCage.AspNetCore.Authorization;
using IronCage.AspNetCore.Internal;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Usage;
using IronCage.Verification;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.AspNetCore.Endpoints;

/// <summary>The read side of <c>/api-keys</c>: list, one key, verify, usage, rotation history.</summary>
internal static class KeyReadEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/api-keys", ListAsync).Admin("keys.list", AdminPermissions.KeysRead, "List managed keys", "Filters: provider, label (name or name=value), stage (current, pending, previous, revoked), overdue; paging: page (from 1), pageSize (1–500).").Produces<ApiKeyList>();
        group.MapGet("/api-keys/{provider}/{name}", GetAsync).Admin("keys.get", AdminPermissions.KeysRead, "Get one managed key", "The key with its versions, as display hints.").Produces<ApiKeyView>();
        group.MapPost("/api-keys/{provider}/{name}/verify", VerifyAsync).Admin("keys.verify", AdminPermissions.KeysRead, "Verify a key at its provider", "Makes the provider's verify call with the current key.").Produces<VerifyResponse>();
        group.MapGet("/api-keys/{provider}/{name}/usage", UsageAsync).Admin("keys.usage", AdminPermissions.KeysRead, "Usage, history and cost of a key", "Current use against the tightest limit, 30 days of daily and 12 months of monthly history, current and projected cost this month.").Produces<KeyUsageResponse>();
        group.MapGet("/api-keys/{provider}/{name}/rotations", HistoryAsync).Admin("keys.rotations", AdminPermissions.KeysRead, "Rotation history of a key", "Every rotation and revocation operation of the key, newest first.").Produces<OperationView[]>();
    }

    private static async Task<IResult> ListAsync(HttpContext http, IKeyStore keys, IClock clock, string? provider, string? label, string? stage, bool? overdue, int? page, int? pageSize)
    {
        if (KeyListFilter.CheckPaging(page, pageSize, out var number, out var size) is { } outOfRange)
        {
            return outOfRange;
        }

        if (!KeyListFilter.TryParseStage(stage, out var wanted))
        {
            return AdminProblems.Field("stage", $"Unknown stage '{stage}'.", "Use current, pending, previous or revoked.");
        }

        var now = clock.GetCurrentInstant();
        var (found, _) = await new KeyListFilter(provider, label, wanted, overdue).PageAsync(keys, now, number, size, clampToLast: false, http.RequestAborted).ConfigureAwait(false);
        var usage = http.RequestServices.GetService<IUsageQuery>();
        var views = new List<ApiKeyView>();
        foreach (var key in found.Keys)
        {
            var snapshot = usage is null ? null : await usage.GetCurrentUsageAsync(key.Reference, http.RequestAborted).ConfigureAwait(false);
            views.Add(AdminViews.Key(key, AdminViews.Usage(snapshot), now));
        }

        return Results.Json(new ApiKeyList(views, found.Total, number, size), AdminJson.Options);
    }

    private static async Task<IResult> GetAsync(HttpContext http, IKeyStore keys, IClock clock, string provider, string name)
    {
        var key = await keys.GetAsync(AdminBodies.Reference(provider, name), http.RequestAborted).ConfigureAwait(false);
        var usage = http.RequestServices.GetService<IUsageQuery>();
        var snapshot = usage is null ? null : await usage.GetCurrentUsageAsync(key.Reference, http.RequestAborted).ConfigureAwait(false);
        return Results.Json(AdminViews.Key(key, AdminViews.Usage(snapshot), clock.GetCurrentInstant()), AdminJson.Options);
    }

    private static async Task<IResult> VerifyAsync(HttpContext http, IKeyStore keys, ISecretProtector protector, IKeyVerifier verifier, IAuditLog audit, IClock clock, string provider, string name)
    {
        var key = await keys.GetAsync(AdminBodies.Reference(provider, name), http.RequestAborted).ConfigureAwait(false);
        if (key.CurrentVersion is not { } current)
        {
            return AdminProblems.Status(StatusCodes.Status409Conflict, "Nothing to verify.", $"Managed key '{key.Reference}' has no current version.", "invalid-state");
        }

        KeyVerificationResult result;
        using (var secret = await protector.OpenAsync(current.Secret, new SecretBinding(key.Reference, current.VersionId), http.RequestAborted).ConfigureAwait(false))
        {
            result = await verifier.VerifyAsync(ProviderKeyContext.For(key), secret, http.RequestAborted).ConfigureAwait(false);
        }

        var request = AdminViews.RequestOf(http);
        await audit.AppendAsync(new AuditEvent
        {
            Actor = request.Actor,
            Action = AuditAction.KeyVerify,
            Target = key.Reference.ToString(),
            Timestamp = clock.GetCurrentInstant(),
            IpAddress = request.IpAddress,
            Outcome = result.IsValid ? AuditOutcome.Success : AuditOutcome.Failure,
            Details = new Dictionary<string, string> { ["version"] = current.VersionId, ["hint"] = current.DisplayHint, ["result"] = result.ErrorKind?.ToString() ?? "valid" },
        }, http.RequestAborted).ConfigureAwait(false);

        // The organization is the one the provider's answer named (OpenAI's openai-organization header), else what the key
        // is scoped to in IronCage; the limits are what the answer reported in its rate-limit headers (requests as the rate
        // limit, tokens as the quota, in the provider's own window), or null.
        var organization = result.Organization ?? (key.Scope.TryGetValue(AdminViews.OrganizationScopeKey, out var org) ? org : null);
        var reported = result.RateLimits;
        var limits = new VerifyLimits(reported?.RequestLimit, reported?.TokenLimit, reported?.RequestsRemaining, reported?.TokensRemaining);
        return Results.Json(new VerifyResponse(result.IsValid, new VerifyDetails(organization, limits), result.Message, result.ErrorKind?.ToString(), result.StatusCode, result.RequestId), AdminJson.Options);
    }

    private static async Task<IResult> UsageAsync(HttpContext http, IKeyStore keys, IClock clock, string provider, string name)
    {
        var reference = AdminBodies.Reference(provider, name);
        await keys.GetAsync(reference, http.RequestAborted).ConfigureAwait(false);
        if (http.RequestServices.GetService<IUsageQuery>() is not { } usage)
        {
            return AdminProblems.Status(StatusCodes.Status404NotFound, "Usage tracking is off.", "This host does not track usage.", "usage-off", new Dictionary<string, object?> { ["fix"] = "Call AddUsageTracking() on the IronCage builder." });
        }

        var now = clock.GetCurrentInstant();
        var snapshot = await usage.GetCurrentUsageAsync(reference, http.RequestAborted).ConfigureAwait(false);
        var daily = await usage.GetHistoryAsync(reference, UsageWindow.Day, now - Duration.FromDays(30), now, byModel: false, http.RequestAborted).ConfigureAwait(false);
        var monthly = await usage.GetHistoryAsync(reference, UsageWindow.Month, now - Duration.FromDays(366), now, byModel: false, http.RequestAborted).ConfigureAwait(false);
        var cost = await usage.GetCostAsync(reference, UsageWindow.Month, http.RequestAborted).ConfigureAwait(false);
        return Results.Json(
            new KeyUsageResponse(
                AdminViews.Usage(snapshot),
                new UsageHistory([.. daily.Select(AdminViews.Point)], [.. monthly.Select(AdminViews.Point)]),
                new UsageCosts(cost.Cost, cost.ProjectedCost, cost.Currency, cost.PeriodStart, cost.PeriodEnd),
                [.. snapshot.Limits.Select(l => new LimitView(l.Limit.Metric.ToString(), l.Limit.Window.ToString(), l.Limit.Limit, l.Limit.Enforcement.ToString(), l.Used, l.ResetsAt))]),
            AdminJson.Options);
    }

    private static async Task<IResult> HistoryAsync(HttpContext http, IKeyStore keys, IRotationStore operations, string provider, string name)
    {
        var reference = AdminBodies.Reference(provider, name);
        await keys.GetAsync(reference, http.RequestAborted).ConfigureAwait(false);
        var all = new List<RotationOperation>();
        await foreach (var operation in operations.ListForKeyAsync(reference, http.RequestAborted).ConfigureAwait(false))
        {
            all.Add(operation);
        }

        return Results.Json(all.OrderByDescending(o => o.RequestedAt).Select(AdminViews.Operation).ToList(), AdminJson.Options);
    }
}
