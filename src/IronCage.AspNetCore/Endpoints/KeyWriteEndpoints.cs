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

/// <summary>The write side of <c>/api-keys</c>: add, rotate, revoke, kill, delete, limits, policy, supply.</summary>
internal static class KeyWriteEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/api-keys", CreateAsync).Admin("keys.create", AdminPermissions.KeysCreate, "Add a managed key", "Validates the key's format, verifies it at the provider and stores it encrypted. 201 with Location; the response shows the display hint only.", write: true)
            .Accepts<CreateKeyRequest>("application/json").Produces<ApiKeyView>(StatusCodes.Status201Created);
        group.MapPut("/api-keys/{provider}/{name}/rotate", RotateAsync).Admin("keys.rotate", AdminPermissions.KeysRotate, "Rotate a key", "reason: manual (default), scheduled or compromised (emergency: no grace, needs MFA); revokeFirst=true revokes the old key before anything else (compromised only); note is audited.", write: true, mfaWhen: IsEmergency)
            .Produces<RotateResponse>();
        group.MapPost("/api-keys/{provider}/{name}/revoke", RevokeAsync).Admin("keys.revoke", AdminPermissions.KeysRevoke, "Revoke a key now", "Kills the current version locally, then revokes it at the provider, without a replacement. Needs MFA.", write: true, mfa: true)
            .Accepts<NoteRequest>("application/json").Produces<OperationView>();
        group.MapPost("/api-keys/{provider}/{name}/kill", KillAsync).Admin("keys.kill", AdminPermissions.KeysRevoke, "Kill switch", "Stops serving a version at once (the current one unless versionId is given), even where the provider cannot revoke by API. Needs MFA.", write: true, mfa: true)
            .Accepts<KillRequest>("application/json").Produces<ApiKeyView>();
        group.MapDelete("/api-keys/{provider}/{name}", DeleteAsync).Admin("keys.delete", AdminPermissions.KeysRevoke, "Delete a managed key", "Only a key with no servable version and no rotation under way: revoke or kill it first. Needs MFA.", write: true, mfa: true)
            .Produces(StatusCodes.Status204NoContent);
        group.MapPut("/api-keys/{provider}/{name}/limits", LimitsAsync).Admin("keys.limits", AdminPermissions.KeysLimits, "Set usage limits", "Replaces the key's limits and alert thresholds; the usage gate sees them at once. Needs MFA.", write: true, mfa: true)
            .Accepts<LimitsRequest>("application/json").Produces<LimitsResponse>();
        group.MapPut("/api-keys/{provider}/{name}/policy", PolicyAsync).Admin("keys.policy", AdminPermissions.KeysRotate, "Schedule rotation", "Replaces the key's rotation policy: schedule (weekly, monthly, quarterly or an ISO period such as P90D; null for on demand), maintenance window, grace period, expiry warning lead, key lifetime, jitter.", write: true)
            .Accepts<PolicyRequest>("application/json").Produces<PolicyView>();
        group.MapPost("/api-keys/{provider}/{name}/supply", SupplyAsync).Admin("keys.supply", AdminPermissions.KeysRotate, "Supply the new key of a semi-automatic or manual rotation", "The key a person created in the provider's console; checked, verified and promoted. It is never echoed back.", write: true)
            .Accepts<SupplyRequest>("application/json").Produces<OperationView>();
    }

    private static bool IsEmergency(HttpContext http) => RotateQuery.IsEmergency(http);

    private static async Task<IResult> CreateAsync(HttpContext http, IKeyRotator rotator, IClock clock)
    {
        var body = await AdminBodies.ReadAsync<CreateKeyRequest>(http).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body.Provider))
        {
            return AdminProblems.Field("provider", "provider is required.", "Give the provider id, for example 'openai'.");
        }

        if (string.IsNullOrWhiteSpace(body.Name))
        {
            return AdminProblems.Field("name", "name is required.", "Give the key a name unique per provider, for example 'prod'.");
        }

        if (string.IsNullOrEmpty(body.Key))
        {
            return AdminProblems.Field("key", "key is required.", "Paste the key value; it is stored encrypted and never shown again.");
        }

        var kind = KeyKind.Inference;
        if (body.Kind is not null && !Enum.TryParse(body.Kind, ignoreCase: true, out kind))
        {
            return AdminProblems.Field("kind", $"Unknown kind '{body.Kind}'.", "Use inference or admin.");
        }

        var policy = RotationPolicy.Default;
        if (body.RotationSchedule is not null)
        {
            if (!RotationSchedule.TryParse(body.RotationSchedule, out var schedule))
            {
                return AdminProblems.Field("rotationSchedule", $"'{body.RotationSchedule}' is not a rotation schedule.", "Use weekly, monthly, quarterly or an ISO period such as P90D.");
            }

            policy = new RotationPolicy { Schedule = schedule };
        }

        var scope = new Dictionary<string, string>(StringComparer.Ordinal);
        if (body.OrganizationId is not null)
        {
            scope[AdminViews.OrganizationScopeKey] = body.OrganizationId;
        }

        var reference = AdminBodies.Reference(body.Provider, body.Name);
        using var secret = SecretValue.FromString(body.Key);
        var registration = new KeyRegistration
        {
            Reference = reference,
            Kind = kind,
            Description = body.Description,
            Labels = body.Labels ?? [],
            Scope = scope,
            Policy = policy,
            ProviderKeyId = body.ProviderKeyId,
            ExpiresAt = body.ExpiresAt,
            Verify = body.Verify ?? true,
        };
        var stored = await rotator.RegisterAsync(registration, secret, AdminViews.RequestOf(http), http.RequestAborted).ConfigureAwait(false);
        var location = $"{http.Request.PathBase}{http.Request.Path}/{Uri.EscapeDataString(reference.Provider.Value)}/{Uri.EscapeDataString(reference.Name)}";
        http.Response.Headers.Location = location;
        return Results.Json(AdminViews.Key(stored, AdminViews.Usage(null), clock.GetCurrentInstant()), AdminJson.Options, statusCode: StatusCodes.Status201Created);
    }

    // reason and revokeFirst are bound as text only so the OpenAPI document lists them; they are read from the query
    // by RotateQuery, the rule the MFA decision used.
    private static async Task<IResult> RotateAsync(HttpContext http, IKeyRotator rotator, IKeyStore keys, string provider, string name, string? reason, string? revokeFirst, string? note)
    {
        _ = (reason, revokeFirst);
        if (RotateQuery.Read(http.Request.Query, out var rotationReason, out var firstRevoke) is { } unreadable)
        {
            return unreadable;
        }

        var reference = AdminBodies.Reference(provider, name);
        var before = await keys.GetAsync(reference, http.RequestAborted).ConfigureAwait(false);
        var operation = await rotator.RotateAsync(reference, rotationReason, AdminViews.RequestOf(http, note, firstRevoke), http.RequestAborted).ConfigureAwait(false);
        var old = before.FindVersion(operation.PreviousVersionId ?? string.Empty)?.DisplayHint ?? before.CurrentVersion?.DisplayHint;
        return Results.Json(new RotateResponse(old, operation.NewDisplayHint, operation.NewExpiresAt, operation.OperationId, operation.Step.ToString(), operation.GraceEndsAt, operation.LastError), AdminJson.Options);
    }

    private static async Task<IResult> RevokeAsync(HttpContext http, IKeyRotator rotator, string provider, string name)
    {
        var body = await AdminBodies.ReadOptionalAsync<NoteRequest>(http).ConfigureAwait(false);
        var operation = await rotator.RevokeAsync(AdminBodies.Reference(provider, name), AdminViews.RequestOf(http, body?.Note), http.RequestAborted).ConfigureAwait(false);
        return Results.Json(AdminViews.Operation(operation), AdminJson.Options);
    }

    private static async Task<IResult> KillAsync(HttpContext http, IKeyRotator rotator, IKeyStore keys, IClock clock, string provider, string name)
    {
        var body = await AdminBodies.ReadOptionalAsync<KillRequest>(http).ConfigureAwait(false);
        var reference = AdminBodies.Reference(provider, name);
        var key = await keys.GetAsync(reference, http.RequestAborted).ConfigureAwait(false);
        var versionId = body?.VersionId ?? key.CurrentVersion?.VersionId;
        if (versionId is null || key.FindVersion(versionId) is null)
        {
            return AdminProblems.Field("versionId", versionId is null ? "The key has no current version to kill." : $"The key has no version '{versionId}'.", "Give the versionId of a servable version (GET the key to list them).");
        }

        var killed = await rotator.KillAsync(reference, versionId, AdminViews.RequestOf(http, body?.Note), http.RequestAborted).ConfigureAwait(false);
        return Results.Json(AdminViews.Key(killed, AdminViews.Usage(null), clock.GetCurrentInstant()), AdminJson.Options);
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, string provider, string name)
    {
        var reference = AdminBodies.Reference(provider, name);
        if (await KeyDeletion.DeleteAsync(http.RequestServices, reference, AdminViews.RequestOf(http), http.RequestAborted).ConfigureAwait(false) is { } servable)
        {
            return AdminProblems.Status(StatusCodes.Status409Conflict, "The key is still served.", $"Version {servable.VersionId} ({servable.DisplayHint}) of '{reference}' is still servable.", "key-in-use", new Dictionary<string, object?> { ["fix"] = "Revoke the key (POST .../revoke) or kill its versions first, then delete it." });
        }

        return Results.NoContent();
    }

    private static async Task<IResult> LimitsAsync(HttpContext http, IKeyRotator rotator, string provider, string name)
    {
        var body = await AdminBodies.ReadAsync<LimitsRequest>(http).ConfigureAwait(false);
        var limits = new UsageLimits
        {
            Limits = [.. (body.Limits ?? []).Select(l => new UsageLimit(l.Metric, l.Window, l.Limit, l.Enforcement))],
            AlertThresholds = body.AlertThresholds ?? UsageLimits.None.AlertThresholds,
        };
        try
        {
            limits.Validate();
        }
        catch (IronCageException ex)
        {
            return AdminProblems.Field("limits", ex.Message);
        }

        var stored = await rotator.ChangeLimitsAsync(AdminBodies.Reference(provider, name), limits, AdminViews.RequestOf(http), http.RequestAborted).ConfigureAwait(false);
        return Results.Json(AdminViews.Limits(stored), AdminJson.Options);
    }

    private static async Task<IResult> PolicyAsync(HttpContext http, IKeyRotator rotator, string provider, string name)
    {
        var body = await AdminBodies.ReadAsync<PolicyRequest>(http).ConfigureAwait(false);
        RotationSchedule? schedule = null;
        if (body.RotationSchedule is not null && !RotationSchedule.TryParse(body.RotationSchedule, out schedule))
        {
            return AdminProblems.Field("rotationSchedule", $"'{body.RotationSchedule}' is not a rotation schedule.", "Use weekly, monthly, quarterly or an ISO period such as P90D.");
        }

        MaintenanceWindow? window = null;
        if (body.Window is { } w)
        {
            if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(w.Zone) is not { } zone)
            {
                return AdminProblems.Field("window.zone", $"Unknown time zone '{w.Zone}'.", "Use an IANA zone such as Europe/Paris or UTC.");
            }

            window = new MaintenanceWindow(w.Days, w.Start, w.Length, zone);
        }

        var policy = new RotationPolicy { Schedule = schedule, Window = window, GracePeriod = body.GracePeriod, ExpiryWarningLead = body.ExpiryWarningLead, KeyLifetime = body.KeyLifetime, RenewBeforeExpiry = body.RenewBeforeExpiry, Jitter = body.Jitter ?? Duration.Zero };
        var stored = await rotator.ChangePolicyAsync(AdminBodies.Reference(provider, name), policy, AdminViews.RequestOf(http), http.RequestAborted).ConfigureAwait(false);
        return Results.Json(AdminViews.Policy(stored), AdminJson.Options);
    }

    private static async Task<IResult> SupplyAsync(HttpContext http, IKeyRotator rotator, IRotationStore operations, string provider, string name)
    {
        var body = await AdminBodies.ReadAsync<SupplyRequest>(http).ConfigureAwait(false);
        if (string.IsNullOrEmpty(body.Key))
        {
            return AdminProblems.Field("key", "key is required.", "Paste the key created in the provider's console.");
        }

        // A manual-tier rotation waiting for its key is recorded (never asks the provider); otherwise the semi-automatic path.
        var reference = AdminBodies.Reference(provider, name);
        var manual = await operations.FindActiveAsync(reference, http.RequestAborted).ConfigureAwait(false) is { Tier: RotationTier.Manual };
        using var secret = SecretValue.FromString(body.Key);
        var request = AdminViews.RequestOf(http, body.Note);
        var operation = manual
            ? await rotator.RecordManualRotationAsync(reference, secret, request, http.RequestAborted).ConfigureAwait(false)
            : await rotator.SupplyNewKeyAsync(reference, secret, request, http.RequestAborted).ConfigureAwait(false);
        return Results.Json(AdminViews.Operation(operation), AdminJson.Options);
    }
}
