using NodaTime;

namespace IronCage.AspNetCore.Endpoints;

// The wire shapes of the admin API (camelCase JSON through AdminJson). Keys appear as display hints only.

/// <summary>A managed key as the API shows it (the requirements' APIKey, plus stage and labels).</summary>
internal sealed record ApiKeyView(
    string Id,
    string Provider,
    string Name,
    string? OrganizationId,
    bool Active,
    Instant? ExpiresAt,
    Instant CreatedAt,
    Instant? LastUsed,
    string? RotationSchedule,
    UsageView Usage,
    string? DisplayHint,
    string Kind,
    string? Stage,
    bool Overdue,
    Instant? NextDueAt,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<VersionView> Versions);

internal sealed record VersionView(string VersionId, string Stage, string DisplayHint, Instant CreatedAt, Instant? ActivatedAt, Instant? ExpiresAt, Instant? RevokedAt, Instant? KilledAt, Instant? RevocationFailedAt, Instant? LastUsedAt, bool Servable);

/// <summary>The requirements' usage triple: the tightest limit's use, the limit, and when its window resets.</summary>
internal sealed record UsageView(decimal Current, decimal? Limit, Instant? ResetAt, string? Metric = null, string? Window = null);

internal sealed record ApiKeyList(IReadOnlyList<ApiKeyView> Keys, int Total, int Page, int PageSize);

internal sealed record CreateKeyRequest(string? Provider, string? Name, string? Key, string? OrganizationId, Instant? ExpiresAt, string? RotationSchedule, string? Kind = null, string? Description = null, string? ProviderKeyId = null, Dictionary<string, string>? Labels = null, bool? Verify = null);

internal sealed record RotateResponse(string? OldKey, string? NewKey, Instant? ExpiresAt, string OperationId, string Step, Instant? GraceEndsAt, string? LastError);

internal sealed record OperationView(string OperationId, string Key, string Kind, string Reason, string Tier, string Step, string RequestedBy, Instant RequestedAt, Instant UpdatedAt, Instant? GraceEndsAt, Instant? EndedAt, string? PreviousVersionId, string NewVersionId, string? NewKey, int Attempts, string? LastError, string? Note);

internal sealed record VerifyResponse(bool Valid, VerifyDetails Details, string Message, string? ErrorKind, int? ProviderStatus, string? RequestId);

internal sealed record VerifyDetails(string? Organization, VerifyLimits Limits);

internal sealed record VerifyLimits(long? RateLimit, long? QuotaLimit, long? RateRemaining, long? QuotaRemaining);

internal sealed record KeyUsageResponse(UsageView Usage, UsageHistory History, UsageCosts Costs, IReadOnlyList<LimitView> Limits);

internal sealed record UsageHistory(IReadOnlyList<UsagePoint> Daily, IReadOnlyList<UsagePoint> Monthly);

internal sealed record UsagePoint(Instant Start, long Requests, long Errors, long InputTokens, long OutputTokens, decimal Cost);

internal sealed record UsageCosts(decimal Current, decimal Projected, string Currency, Instant PeriodStart, Instant PeriodEnd);

internal sealed record LimitView(string Metric, string Window, decimal Limit, string Enforcement, decimal Used, Instant ResetAt);

internal sealed record LimitsRequest(IReadOnlyList<LimitInput>? Limits, IReadOnlyList<decimal>? AlertThresholds);

internal sealed record LimitInput(UsageMetric Metric, UsageWindow Window, decimal Limit, LimitEnforcement Enforcement = LimitEnforcement.Hard);

internal sealed record LimitsResponse(string Id, IReadOnlyList<LimitInput> Limits, IReadOnlyList<decimal> AlertThresholds);

internal sealed record PolicyRequest(string? RotationSchedule, WindowInput? Window, Duration? GracePeriod, Duration? ExpiryWarningLead, Duration? KeyLifetime, Duration? Jitter, Duration? RenewBeforeExpiry = null);

internal sealed record WindowInput(IReadOnlyList<IsoDayOfWeek> Days, LocalTime Start, Duration Length, string Zone);

internal sealed record PolicyView(string Id, string? RotationSchedule, WindowInput? Window, Duration? GracePeriod, Duration? ExpiryWarningLead, Duration? KeyLifetime, Duration Jitter, Instant? NextDueAt, Duration? RenewBeforeExpiry = null);

internal sealed record SupplyRequest(string? Key, string? Note);

internal sealed record KillRequest(string? VersionId, string? Note);

internal sealed record NoteRequest(string? Note);

internal sealed record PlanView(Instant Now, IReadOnlyList<PlanItemView> Items);

internal sealed record PlanItemView(string Key, string Action, string Tier, Instant? DueAt, bool IsDue, string Detail, Uri? ConsoleUrl, Duration? CurrentKeyAge);

internal sealed record AuditRecordView(long Sequence, string Actor, string Action, string Target, Instant Timestamp, string? IpAddress, string? Reason, string Outcome, IReadOnlyDictionary<string, string> Details, string Hash);

internal sealed record AuditPage(IReadOnlyList<AuditRecordView> Records, long? Next);

internal sealed record AuditVerifyResponse(bool Valid, long RecordsChecked, long? FirstInvalidSequence, string? Tamper, string Message, long? HeadSequence);

internal sealed record AlertsView(IReadOnlyList<decimal> DefaultThresholds, IReadOnlyList<KeyAlertsView> Keys, int Total, int Page, int PageSize);

internal sealed record KeyAlertsView(string Id, IReadOnlyList<decimal> AlertThresholds, IReadOnlyList<LimitInput> Limits);

internal sealed record AccessView(bool ReadOnly, string MfaClaimType, IReadOnlyList<string> MfaClaimValues, IReadOnlyList<PermissionView> Permissions, int RateLimitPermits, TimeSpan RateLimitWindow);

internal sealed record PermissionView(string Permission, bool PolicyConfigured, IReadOnlyList<string> AllowedNetworks, IReadOnlyList<string> Operations);
