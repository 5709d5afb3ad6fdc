using IronCage.AspNetCore.Authorization;
using IronCage.AspNetCore.Internal;
using IronCage.Rotation;
using IronCage.Usage;
using Microsoft.AspNetCore.Http;
using NodaTime;

namespace IronCage.AspNetCore.Endpoints;

/// <summary>Turns library types into the API's shapes, and the request's caller into a <see cref="RotationRequest"/>. Never reads a secret.</summary>
internal static class AdminViews
{
    public const string OrganizationScopeKey = "organization_id";

    public static string IdOf(KeyReference key) => key.ToString();

    public static RotationRequest RequestOf(HttpContext http, string? note = null, bool revokeFirst = false, Duration? grace = null)
    {
        var decision = http.Items[AdminAccessFilter.DecisionItem] as AdminAccessDecision;
        return new RotationRequest { Actor = decision?.Actor ?? "anonymous", IpAddress = decision?.IpAddress, Note = note, RevokeFirst = revokeFirst, GracePeriod = grace };
    }

    public static ApiKeyView Key(ManagedKey key, UsageView usage, Instant now)
    {
        var current = key.CurrentVersion;
        var shown = current ?? (key.Versions.Count > 0 ? key.Versions[^1] : null);
        return new ApiKeyView(
            IdOf(key.Reference),
            key.Provider.Value,
            key.Name,
            key.Scope.TryGetValue(OrganizationScopeKey, out var organization) ? organization : null,
            current is { IsServable: true },
            current?.ExpiresAt,
            key.CreatedAt,
            key.Versions.Max(v => v.LastUsedAt),
            key.Policy.Schedule?.Text,
            usage,
            shown?.DisplayHint,
            key.Kind.ToString().ToLowerInvariant(),
            shown?.Stage.ToString(),
            IsOverdue(key, now),
            IsNever(key.NextDueAt) ? null : key.NextDueAt,
            key.Labels,
            [.. key.Versions.Select(Version)]);
    }

    public static bool IsOverdue(ManagedKey key, Instant now) => key.NextDueAt is { } due && !IsNever(due) && due <= now;

    /// <summary>Whether a due instant means "never" (<see cref="ManagedKeyDue.Never"/>, also as a store returns it, truncated to its precision).</summary>
    public static bool IsNever(Instant? due) => due is { } d && (d == ManagedKeyDue.Never || d.InUtc().Year >= 9999);

    public static VersionView Version(KeyVersion v) => new(v.VersionId, v.Stage.ToString(), v.DisplayHint, v.CreatedAt, v.ActivatedAt, v.ExpiresAt, v.RevokedAt, v.KilledAt, v.RevocationFailedAt, v.LastUsedAt, v.IsServable);

    public static UsageView Usage(KeyUsageSnapshot? snapshot)
    {
        if (snapshot is null)
        {
            return new UsageView(0, null, null);
        }

        var tightest = snapshot.Limits.OrderByDescending(l => l.FractionUsed).FirstOrDefault();
        return tightest is null
            ? new UsageView(snapshot.Month.Requests, null, null, UsageMetric.Requests.ToString(), UsageWindow.Month.ToString())
            : new UsageView(tightest.Used, tightest.Limit.Limit, tightest.ResetsAt, tightest.Limit.Metric.ToString(), tightest.Limit.Window.ToString());
    }

    public static OperationView Operation(RotationOperation o) => new(
        o.OperationId, IdOf(o.Key), o.Kind.ToString(), o.Reason.ToString(), o.Tier.ToString(), o.Step.ToString(), o.RequestedBy, o.RequestedAt, o.UpdatedAt,
        o.GraceEndsAt, o.EndedAt, o.PreviousVersionId, o.NewVersionId, o.NewDisplayHint, o.Attempts, o.LastError, o.Note);

    public static PolicyView Policy(ManagedKey key) => new(
        IdOf(key.Reference),
        key.Policy.Schedule?.Text,
        key.Policy.Window is { } w ? new WindowInput([.. w.Days.Order()], w.Start, w.Length, w.Zone.Id) : null,
        key.Policy.GracePeriod,
        key.Policy.ExpiryWarningLead,
        key.Policy.KeyLifetime,
        key.Policy.Jitter,
        IsNever(key.NextDueAt) ? null : key.NextDueAt,
        key.Policy.RenewBeforeExpiry);

    public static LimitsResponse Limits(ManagedKey key) => new(IdOf(key.Reference), [.. key.Limits.Limits.Select(Limit)], key.Limits.AlertThresholds);

    public static LimitInput Limit(UsageLimit l) => new(l.Metric, l.Window, l.Limit, l.Enforcement);

    public static UsagePoint Point(UsageAggregate a) => new(a.WindowStart, a.Requests, a.Errors, a.InputTokens, a.OutputTokens, a.Cost);
}
