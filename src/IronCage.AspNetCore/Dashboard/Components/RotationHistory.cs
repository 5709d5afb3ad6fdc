using IronCage.Providers;
using IronCage.Rotation;
using NodaTime;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>RotationHistory: every operation of a key, newest first, each with the state machine's steps (done, current, to come, failed).</summary>
internal static class RotationHistory
{
    private static readonly RotationStep[] Automatic = [RotationStep.Requested, RotationStep.CreatedAtProvider, RotationStep.StoredPending, RotationStep.Verified, RotationStep.Distributed, RotationStep.Promoted, RotationStep.GracePeriod, RotationStep.PreviousRevoked, RotationStep.Completed];
    private static readonly RotationStep[] Supplied = [RotationStep.Requested, RotationStep.AwaitingNewKey, RotationStep.StoredPending, RotationStep.Verified, RotationStep.Distributed, RotationStep.Promoted, RotationStep.GracePeriod, RotationStep.PreviousRevoked, RotationStep.Completed];
    private static readonly RotationStep[] RevokeFirst = [RotationStep.Requested, RotationStep.PreviousRevoked, RotationStep.CreatedAtProvider, RotationStep.StoredPending, RotationStep.Verified, RotationStep.Distributed, RotationStep.Promoted, RotationStep.Completed];
    private static readonly RotationStep[] Revocation = [RotationStep.Requested, RotationStep.PreviousRevoked, RotationStep.Completed];

    public static void Render(DashboardPage page, IReadOnlyList<RotationOperation> operations)
    {
        var html = page.Html;
        if (operations.Count == 0)
        {
            html.Raw("<p class=\"empty\">No rotation yet.</p>");
            return;
        }

        html.Raw("<ol class=\"history\">");
        foreach (var operation in operations)
        {
            Operation(page, operation);
        }

        html.Raw("</ol>");
    }

    public static IReadOnlyList<RotationStep> StepsOf(RotationOperation operation) => operation.Kind switch
    {
        RotationOperationKind.Revocation => Revocation,
        RotationOperationKind.RevokeFirstRotation => RevokeFirst,
        _ when operation.Tier is RotationTier.SemiAutomatic or RotationTier.Manual => Supplied,
        _ => Automatic,
    };

    private static void Operation(DashboardPage page, RotationOperation operation)
    {
        var html = page.Html;
        var failed = operation.Step is RotationStep.Failed or RotationStep.RevocationFailed;
        html.Raw("<li class=\"operation\"").Attr("data-operation", operation.OperationId).Attr("data-step", operation.Step.ToString()).Raw(">")
            .Raw("<p class=\"operation-head\"><strong>").Text(Title(operation)).Raw("</strong> · ").Text(operation.Reason.ToString().ToLowerInvariant())
            .Raw(" · by ").Text(operation.RequestedBy).Raw(" · ").Text(HtmlWriter.Format(operation.RequestedAt))
            .Raw(" · step <span class=\"step-name\">").Text(operation.Step.ToString()).Raw("</span>");
        if (operation.NewDisplayHint is not null)
        {
            html.Raw(" · new key <code>").Text(operation.NewDisplayHint).Raw("</code>");
        }

        html.Raw("</p><ol class=\"steps\">");
        var steps = StepsOf(operation);
        var at = IndexOf(steps, operation);
        for (var i = 0; i < steps.Count; i++)
        {
            var state = operation.Step == RotationStep.Completed || i < at ? "done" : i == at ? (failed ? "failed" : "current") : "todo";
            html.Raw("<li").Attr("class", "step " + state);
            if (state is "current" or "failed")
            {
                html.Raw(" aria-current=\"step\"");
            }

            html.Raw(">").Text(Label(steps[i])).Raw("<span class=\"visually-hidden\">").Text($" ({state})").Raw("</span></li>");
        }

        html.Raw("</ol>");
        if (operation.Step == RotationStep.GracePeriod && operation.GraceEndsAt is { } ends)
        {
            html.Raw("<p class=\"hint\">Both keys are valid until ").Text(HtmlWriter.Format(ends)).Raw(".</p>");
        }

        if (failed && operation.LastError is not null)
        {
            html.Raw("<p class=\"field-error\">").Text(operation.Step == RotationStep.Failed ? "Failed: " : "Revocation failed: ").Text(operation.LastError).Raw("</p>");
        }
        else if (!operation.IsFinished && operation.LastError is not null)
        {
            html.Raw("<p class=\"field-error deferred\">").Text($"Paused after attempt {operation.Attempts}: ").Text(operation.LastError)
                .Text(operation.NextAttemptAt is { } retryAt ? $" Next attempt at {HtmlWriter.Format(retryAt)}." : string.Empty).Raw("</p>");
        }

        if (!operation.IsFinished)
        {
            html.Raw("<div class=\"action-row\">");
            var path = DashboardPage.KeyPath(operation.Key);
            if (IsResumable(page, operation))
            {
                page.ButtonForm(path + "/resume", "Resume now", "button", new Dictionary<string, string> { ["operationId"] = operation.OperationId });
            }

            if (operation.Step == RotationStep.GracePeriod)
            {
                page.ButtonForm(path + "/complete-grace", "End grace now (revoke the old key)", "button secondary");
            }
            else if (operation.Step < RotationStep.Promoted || operation.Step is RotationStep.AwaitingNewKey or RotationStep.Distributed)
            {
                page.ButtonForm(path + "/cancel", "Cancel rotation", "button secondary");
            }

            html.Raw("</div>");
        }

        html.Raw("</li>");
    }

    /// <summary>
    /// Whether resuming can move the operation on: it is not waiting for a person's key nor inside its grace period,
    /// and its retry time (if a step was deferred) has come, as after a crash or when nothing ran it since.
    /// </summary>
    private static bool IsResumable(DashboardPage page, RotationOperation operation)
    {
        var now = page.Service<IClock>().GetCurrentInstant();
        return operation.Step != RotationStep.AwaitingNewKey
            && (operation.Step != RotationStep.GracePeriod || operation.GraceEndsAt <= now)
            && (operation.NextAttemptAt is null || operation.NextAttemptAt <= now);
    }

    private static int IndexOf(IReadOnlyList<RotationStep> steps, RotationOperation operation)
    {
        if (operation.Step is RotationStep.Failed)
        {
            // Failed before promotion: the step after the last one the operation reached is the failing one.
            return operation.NewDisplayHint is null ? 1 : steps.Count > 3 ? 3 : 1;
        }

        if (operation.Step is RotationStep.RevocationFailed)
        {
            return Math.Max(0, IndexOfStep(steps, RotationStep.PreviousRevoked));
        }

        var index = IndexOfStep(steps, operation.Step);
        return index < 0 ? 0 : index;
    }

    private static int IndexOfStep(IReadOnlyList<RotationStep> steps, RotationStep step)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] == step)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Title(RotationOperation operation) => operation.Kind switch
    {
        RotationOperationKind.Revocation => "Revocation",
        RotationOperationKind.RevokeFirstRotation => "Emergency rotation (revoke first)",
        _ => operation.Reason == RotationReason.Compromised ? "Emergency rotation" : "Rotation",
    };

    private static string Label(RotationStep step) => step switch
    {
        RotationStep.Requested => "Requested",
        RotationStep.AwaitingNewKey => "Awaiting new key",
        RotationStep.CreatedAtProvider => "Created at provider",
        RotationStep.StoredPending => "Stored as pending",
        RotationStep.Verified => "Verified",
        RotationStep.Distributed => "Distributed",
        RotationStep.Promoted => "Promoted",
        RotationStep.GracePeriod => "Grace period",
        RotationStep.PreviousRevoked => "Previous revoked",
        RotationStep.Completed => "Completed",
        _ => step.ToString(),
    };
}
