using IronCage.AspNetCore.Endpoints;
using IronCage.AspNetCore.Internal;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Verification;
using Microsoft.AspNetCore.Http;
using NodaTime;

namespace IronCage.AspNetCore.Dashboard;

/// <summary>
/// What the dashboard's forms do, through the same services as the admin API (<see cref="IKeyRotator"/>, the key
/// store, the verifier). A key posted in a form goes straight into a <see cref="SecretValue"/> and is never echoed.
/// </summary>
internal static class KeyActionHandlers
{
    public static async Task<IResult> CreateAsync(DashboardPage page, IFormCollection form)
    {
        var provider = form["provider"].ToString().Trim();
        var name = form["name"].ToString().Trim();
        var value = form["key"].ToString();
        if (provider.Length == 0)
        {
            return Refuse(new DashboardError(StatusCodes.Status400BadRequest, "The key needs a provider.", "provider is required.", "provider", "Choose the provider the key belongs to."));
        }

        if (name.Length == 0)
        {
            return Refuse(new DashboardError(StatusCodes.Status400BadRequest, "The key needs a name.", "name is required.", "name", "Give the key a name unique per provider, for example 'prod'."));
        }

        if (value.Length == 0)
        {
            return Refuse(new DashboardError(StatusCodes.Status400BadRequest, "The key is missing.", "key is required.", "key", "Paste the key value; it is stored encrypted and never shown again."));
        }

        var kind = string.Equals(form["kind"], "admin", StringComparison.OrdinalIgnoreCase) ? KeyKind.Admin : KeyKind.Inference;
        var policy = RotationPolicy.Default;
        if (form["rotationSchedule"].ToString().Trim() is { Length: > 0 } scheduleText)
        {
            if (!IronCage.RotationSchedule.TryParse(scheduleText, out var schedule))
            {
                return Refuse(new DashboardError(StatusCodes.Status400BadRequest, "Invalid rotation schedule.", $"'{scheduleText}' is not a rotation schedule.", "rotationSchedule", "Use weekly, monthly, quarterly or an ISO period such as P90D."));
            }

            policy = new RotationPolicy { Schedule = schedule };
        }

        var scope = new Dictionary<string, string>(StringComparer.Ordinal);
        if (form["organizationId"].ToString().Trim() is { Length: > 0 } organization)
        {
            scope[AdminViews.OrganizationScopeKey] = organization;
        }

        foreach (var pair in form["scope"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (pair.Split('=', 2, StringSplitOptions.TrimEntries) is not [{ Length: > 0 } scopeKey, { Length: > 0 } scopeValue])
            {
                return Refuse(new DashboardError(StatusCodes.Status400BadRequest, "Invalid scope.", $"'{pair}' is not name=value.", "scope", "Write scope entries as name=value, separated by commas, such as project_id=proj_abc."));
            }

            scope[scopeKey] = scopeValue;
        }

        var reference = new KeyReference(new ProviderId(provider), name);
        using var secret = SecretValue.FromString(value);
        var registration = new KeyRegistration
        {
            Reference = reference,
            Kind = kind,
            Scope = scope,
            Policy = policy,
            ProviderKeyId = form["providerKeyId"].ToString().Trim() is { Length: > 0 } id ? id : null,
            Verify = form["verify"].ToString() == "true",
        };
        await page.Service<IKeyRotator>().RegisterAsync(registration, secret, AdminViews.RequestOf(page.Http), page.Aborted).ConfigureAwait(false);
        return DashboardEndpoints.SeeOther(page, DashboardPage.KeyPath(reference), "created");
    }

    public static async Task<IResult> RotateAsync(DashboardPage page, KeyReference key, IFormCollection form)
    {
        var emergency = string.Equals(form["reason"], "compromised", StringComparison.OrdinalIgnoreCase);
        await page.Service<IKeyRotator>().RotateAsync(key, emergency ? RotationReason.Compromised : RotationReason.Manual, AdminViews.RequestOf(page.Http, Note(form), revokeFirst: form["revokeFirst"] == "true"), page.Aborted).ConfigureAwait(false);
        return DashboardEndpoints.SeeOther(page, DashboardPage.KeyPath(key), emergency ? "rotated-emergency" : "rotated");
    }

    public static async Task<IResult> RevokeAsync(DashboardPage page, KeyReference key, IFormCollection form)
    {
        await page.Service<IKeyRotator>().RevokeAsync(key, AdminViews.RequestOf(page.Http, Note(form)), page.Aborted).ConfigureAwait(false);
        return DashboardEndpoints.SeeOther(page, DashboardPage.KeyPath(key), "revoked");
    }

    public static async Task<IResult> KillAsync(DashboardPage page, KeyReference key, IFormCollection form)
    {
        var managed = await page.Service<IKeyStore>().GetAsync(key, page.Aborted).ConfigureAwait(false);
        var versionId = form["versionId"].ToString() is { Length: > 0 } given ? given : managed.CurrentVersion?.VersionId
            ?? throw new IronCageException($"Managed key '{key}' has no current version to kill.");
        await page.Service<IKeyRotator>().KillAsync(key, versionId, AdminViews.RequestOf(page.Http, Note(form)), page.Aborted).ConfigureAwait(false);
        return DashboardEndpoints.SeeOther(page, DashboardPage.KeyPath(key), "killed");
    }

    public static async Task<IResult> VerifyAsync(DashboardPage page, KeyReference key, IFormCollection form)
    {
        var managed = await page.Service<IKeyStore>().GetAsync(key, page.Aborted).ConfigureAwait(false);
        var current = managed.CurrentVersion ?? throw new IronCageException($"Managed key '{key}' has no current version to verify.");
        KeyVerificationResult result;
        using (var secret = await page.Service<ISecretProtector>().OpenAsync(current.Secret, new SecretBinding(key, current.VersionId), page.Aborted).ConfigureAwait(false))
        {
            result = await page.Service<IKeyVerifier>().VerifyAsync(ProviderKeyContext.For(managed), secret, page.Aborted).ConfigureAwait(false);
        }

        var request = AdminViews.RequestOf(page.Http);
        await page.Service<IAuditLog>().AppendAsync(new AuditEvent
        {
            Actor = request.Actor,
            Action = AuditAction.KeyVerify,
            Target = key.ToString(),
            Timestamp = page.Service<IClock>().GetCurrentInstant(),
            IpAddress = request.IpAddress,
            Outcome = result.IsValid ? AuditOutcome.Success : AuditOutcome.Failure,
            Details = new Dictionary<string, string> { ["version"] = current.VersionId, ["hint"] = current.DisplayHint, ["result"] = result.ErrorKind?.ToString() ?? "valid" },
        }, page.Aborted).ConfigureAwait(false);
        return DashboardEndpoints.SeeOther(page, DashboardPage.KeyPath(key), result.IsValid ? "verify-valid" : "verify-invalid");
    }

    public static async Task<IResult> PolicyAsync(DashboardPage page, KeyReference key, IFormCollection form)
    {
        var text = form["rotationSchedule"].ToString().Trim();
        IronCage.RotationSchedule? schedule = null;
        if (text.Length > 0 && !IronCage.RotationSchedule.TryParse(text, out schedule))
        {
            throw new RotationPolicyException($"'{text}' is not a rotation schedule. Use weekly, monthly, quarterly or an ISO period such as P90D.");
        }

        var rotator = page.Service<IKeyRotator>();
        var managed = await page.Service<IKeyStore>().GetAsync(key, page.Aborted).ConfigureAwait(false);
        await rotator.ChangePolicyAsync(key, managed.Policy with { Schedule = schedule }, AdminViews.RequestOf(page.Http), page.Aborted).ConfigureAwait(false);
        return DashboardEndpoints.SeeOther(page, DashboardPage.KeyPath(key), "policy");
    }

    public static async Task<IResult> SupplyAsync(DashboardPage page, KeyReference key, IFormCollection form)
    {
        var value = form["key"].ToString();
        if (value.Length == 0)
        {
            return Refuse(new DashboardError(StatusCodes.Status400BadRequest, "The new key is missing.", "key is required.", "key", "Paste the key created in the provider's console."));
        }

        // A manual-tier rotation is recorded (never asks the provider); a semi-automatic one looks the key up at the provider.
        var rotator = page.Service<IKeyRotator>();
        var manual = await page.Service<IRotationStore>().FindActiveAsync(key, page.Aborted).ConfigureAwait(false) is { Tier: RotationTier.Manual };
        using var secret = SecretValue.FromString(value);
        var request = AdminViews.RequestOf(page.Http, Note(form));
        if (manual)
        {
            await rotator.RecordManualRotationAsync(key, secret, request, page.Aborted).ConfigureAwait(false);
        }
        else
        {
            await rotator.SupplyNewKeyAsync(key, secret, request, page.Aborted).ConfigureAwait(false);
        }

        return DashboardEndpoints.SeeOther(page, DashboardPage.KeyPath(key), manual ? "recorded" : "supplied");
    }

    /// <summary>Deletes the key after a typed confirmation, with the admin API's rules (<see cref="KeyDeletion"/>).</summary>
    public static async Task<IResult> DeleteAsync(DashboardPage page, KeyReference key, IFormCollection form)
    {
        if (!string.Equals(form["confirm"].ToString().Trim(), key.ToString(), StringComparison.Ordinal))
        {
            return Refuse(new DashboardError(StatusCodes.Status400BadRequest, "Deletion not confirmed.", $"Type {key} exactly to confirm the deletion.", "confirm-delete", "The key's id is shown at the top of the page.", "deletion confirmation"));
        }

        if (await KeyDeletion.DeleteAsync(page.Http.RequestServices, key, AdminViews.RequestOf(page.Http, Note(form)), page.Aborted).ConfigureAwait(false) is { } servable)
        {
            return Refuse(new DashboardError(StatusCodes.Status409Conflict, "The key is still served.", $"Version {servable.VersionId} ({servable.DisplayHint}) of '{key}' is still servable, so its provider key may be live.", Fix: "Revoke the key (or kill its versions) first, then delete it."));
        }

        return DashboardEndpoints.SeeOther(page, "/", "deleted");
    }

    /// <summary>Continues an unfinished operation of the key (form field <c>operationId</c>), as <c>POST /rotations/{id}/resume</c> does.</summary>
    public static async Task<IResult> ResumeAsync(DashboardPage page, KeyReference key, IFormCollection form)
    {
        var rotator = page.Service<IKeyRotator>();
        var id = form["operationId"].ToString();
        if (id.Length == 0 || await rotator.GetOperationAsync(id, page.Aborted).ConfigureAwait(false) is not { } operation || operation.Key != key)
        {
            return Refuse(new DashboardError(StatusCodes.Status404NotFound, "No such rotation operation.", $"'{key}' has no operation '{id}'.", Fix: "Reload the page: the history lists the key's operations."));
        }

        if (operation.IsFinished)
        {
            return Refuse(new DashboardError(StatusCodes.Status409Conflict, "The operation has finished.", $"Operation {operation.OperationId} ended at {operation.Step}; there is nothing to resume.", Fix: "Start a new rotation if the key needs one."));
        }

        var after = await rotator.ResumeAsync(operation.OperationId, page.Aborted).ConfigureAwait(false);
        var moved = after.IsFinished || after.Step != operation.Step || after.Attempts != operation.Attempts;
        return DashboardEndpoints.SeeOther(page, DashboardPage.KeyPath(key), moved ? "resumed" : "resume-waiting");
    }

    public static async Task<IResult> CancelAsync(DashboardPage page, KeyReference key, IFormCollection form)
    {
        await page.Service<IKeyRotator>().CancelAsync(key, AdminViews.RequestOf(page.Http, Note(form)), page.Aborted).ConfigureAwait(false);
        return DashboardEndpoints.SeeOther(page, DashboardPage.KeyPath(key), "cancelled");
    }

    public static async Task<IResult> CompleteGraceAsync(DashboardPage page, KeyReference key, IFormCollection form)
    {
        var operation = await page.Service<IKeyRotator>().CompleteGraceAsync(key, AdminViews.RequestOf(page.Http, Note(form)), page.Aborted).ConfigureAwait(false);
        return DashboardEndpoints.SeeOther(page, DashboardPage.KeyPath(key), operation.Step == RotationStep.Completed ? "grace-ended" : "grace-ended-paused");
    }

    private static string? Note(IFormCollection form) => form["note"].ToString() is { Length: > 0 } note ? note : null;

    private static DashboardRefusal Refuse(DashboardError error) => new(error);
}
