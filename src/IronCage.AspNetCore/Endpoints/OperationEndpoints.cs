using IronCage.AspNetCore.Authorization;
using IronCage.AspNetCore.Internal;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NodaTime;

namespace IronCage.AspNetCore.Endpoints;

/// <summary><c>/rotations</c>: one operation, cancel, resume, end grace; the plan; the rotation debt list.</summary>
internal static class OperationEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/rotations/plan", PlanAsync).Admin("rotations.plan", AdminPermissions.KeysRead, "Rotation plan (dry run)", "What would rotate, when and by which strategy, as of now. Changes nothing.").Produces<PlanView>();
        group.MapGet("/rotation-debt", DebtAsync).Admin("rotations.debt", AdminPermissions.KeysRead, "Overdue and manual rotations", "Due, overdue and person-driven (manual, semi-automatic) keys, oldest current key first, with the provider's console URL.").Produces<PlanItemView[]>();
        group.MapGet("/rotations/{operationId}", GetAsync).Admin("rotations.get", AdminPermissions.KeysRead, "One rotation operation", "Its kind, tier, step and times.").Produces<OperationView>();
        group.MapPost("/rotations/{operationId}/cancel", CancelAsync).Admin("rotations.cancel", AdminPermissions.KeysRotate, "Cancel a rotation", "Only before the new key is promoted: the new key is removed and the old one stays current.", write: true)
            .Accepts<NoteRequest>("application/json").Produces<OperationView>();
        group.MapPost("/rotations/{operationId}/resume", ResumeAsync).Admin("rotations.resume", AdminPermissions.KeysRotate, "Resume a rotation", "Continues an unfinished operation (after a crash, a deferral, or a grace period that ended).", write: true).Produces<OperationView>();
        group.MapPost("/rotations/{operationId}/complete-grace", CompleteGraceAsync).Admin("rotations.complete-grace", AdminPermissions.KeysRotate, "End a grace period now", "Revokes the old key of a rotation in its grace period now (an early revocation: needs MFA).", write: true, mfa: true).Produces<OperationView>();
    }

    private static async Task<IResult> PlanAsync(IKeyRotator rotator, IClock clock, IProviderCatalog catalog, IKeyStore keys, HttpContext http)
    {
        var now = clock.GetCurrentInstant();
        var plan = await rotator.PlanAsync(now, http.RequestAborted).ConfigureAwait(false);
        var items = new List<PlanItemView>();
        foreach (var item in plan.Items)
        {
            items.Add(await ItemAsync(item, keys, catalog, now, http.RequestAborted).ConfigureAwait(false));
        }

        return Results.Json(new PlanView(plan.Now, items), AdminJson.Options);
    }

    private static async Task<IResult> DebtAsync(IKeyRotator rotator, IClock clock, IProviderCatalog catalog, IKeyStore keys, HttpContext http)
    {
        var now = clock.GetCurrentInstant();
        var plan = await rotator.PlanAsync(now, http.RequestAborted).ConfigureAwait(false);
        var items = new List<PlanItemView>();
        foreach (var item in plan.Items.Where(i => i.IsDue || i.Tier is RotationTier.Manual or RotationTier.SemiAutomatic))
        {
            items.Add(await ItemAsync(item, keys, catalog, now, http.RequestAborted).ConfigureAwait(false));
        }

        return Results.Json(items.OrderByDescending(i => i.CurrentKeyAge ?? Duration.Zero).ToList(), AdminJson.Options);
    }

    private static async Task<IResult> GetAsync(IKeyRotator rotator, string operationId, HttpContext http)
        => await rotator.GetOperationAsync(operationId, http.RequestAborted).ConfigureAwait(false) is { } operation
            ? Results.Json(AdminViews.Operation(operation), AdminJson.Options)
            : NotFound(operationId);

    private static async Task<IResult> CancelAsync(IKeyRotator rotator, string operationId, HttpContext http)
    {
        if (await rotator.GetOperationAsync(operationId, http.RequestAborted).ConfigureAwait(false) is not { } operation)
        {
            return NotFound(operationId);
        }

        var body = await AdminBodies.ReadOptionalAsync<NoteRequest>(http).ConfigureAwait(false);
        var cancelled = await rotator.CancelAsync(operation.Key, AdminViews.RequestOf(http, body?.Note), http.RequestAborted).ConfigureAwait(false);
        return Results.Json(AdminViews.Operation(cancelled), AdminJson.Options);
    }

    private static async Task<IResult> ResumeAsync(IKeyRotator rotator, string operationId, HttpContext http)
    {
        if (await rotator.GetOperationAsync(operationId, http.RequestAborted).ConfigureAwait(false) is null)
        {
            return NotFound(operationId);
        }

        return Results.Json(AdminViews.Operation(await rotator.ResumeAsync(operationId, http.RequestAborted).ConfigureAwait(false)), AdminJson.Options);
    }

    private static async Task<IResult> CompleteGraceAsync(IKeyRotator rotator, string operationId, HttpContext http)
    {
        if (await rotator.GetOperationAsync(operationId, http.RequestAborted).ConfigureAwait(false) is not { } operation)
        {
            return NotFound(operationId);
        }

        return Results.Json(AdminViews.Operation(await rotator.CompleteGraceAsync(operation.Key, AdminViews.RequestOf(http), http.RequestAborted).ConfigureAwait(false)), AdminJson.Options);
    }

    private static IResult NotFound(string operationId)
        => AdminProblems.Status(StatusCodes.Status404NotFound, "No such rotation operation.", $"Rotation operation '{operationId}' does not exist.", "operation-not-found");

    private static async Task<PlanItemView> ItemAsync(PlannedRotation item, IKeyStore keys, IProviderCatalog catalog, Instant now, CancellationToken cancellationToken)
    {
        var key = await keys.FindAsync(item.Key, cancellationToken).ConfigureAwait(false);
        var since = key?.CurrentVersion is { } current ? current.ActivatedAt ?? current.CreatedAt : (Instant?)null;
        var console = catalog.TryGetDescriptor(item.Key.Provider, out var descriptor) ? descriptor.ConsoleUrl : null;
        return new PlanItemView(item.Key.ToString(), item.Action.ToString(), item.Tier.ToString(), item.DueAt, item.IsDue, item.Detail, console, since is { } s ? now - s : null);
    }
}
