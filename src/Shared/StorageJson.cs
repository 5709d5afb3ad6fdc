using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using NodaTime;
using NodaTime.Text;

namespace IronCage.Storage;

/// <summary>
/// The JSON columns: the model is mapped to plain DTOs (strings and numbers) by hand, so the stored format is IronCage's
/// own and not whatever the model's shape or a serializer's defaults happen to be. NodaTime values are written as
/// text with NodaTime's round-trip patterns (instants in extended ISO-8601 with up to nine fractional digits,
/// durations as <c>-D:hh:mm:ss.FFFFFFFFF</c>); enums as their numbers, which never change.
/// </summary>
internal static partial class StorageJson
{
    private const string EmptyObject = "{}";

    public static string WriteMap(IReadOnlyDictionary<string, string> map)
    {
        if (map.Count == 0)
        {
            return EmptyObject;
        }

        var copy = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            copy[key] = value;
        }

        return JsonSerializer.Serialize(copy, StorageJsonContext.Default.DictionaryStringString);
    }

    public static IReadOnlyDictionary<string, string> ReadMap(string json)
    {
        if (json == EmptyObject)
        {
            return FrozenDictionary<string, string>.Empty;
        }

        var map = JsonSerializer.Deserialize(json, StorageJsonContext.Default.DictionaryStringString);
        return map is null || map.Count == 0 ? FrozenDictionary<string, string>.Empty : map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    // A version's typed state (slot, revocation failure, expiry warning) shares the metadata column under reserved
    // keys, so no schema change was needed when it stopped being free-form metadata.
    private const string SlotKey = "ironcage.slot";
    private const string LegacySlotKey = "slot";
    private const string RevocationFailedKey = "ironcage.revocation-failed-at";
    private const string ExpiryWarnedKey = "ironcage.expiry-warned-at";

    public static string WriteVersionMetadata(KeyVersion version)
    {
        if (version.Slot is null && version.RevocationFailedAt is null && version.ExpiryWarnedAt is null)
        {
            return WriteMap(version.Metadata);
        }

        var map = new Dictionary<string, string>(version.Metadata.Count + 3, StringComparer.Ordinal);
        foreach (var (key, value) in version.Metadata)
        {
            map[key] = value;
        }

        Put(map, SlotKey, version.Slot);
        Put(map, RevocationFailedKey, InstantText(version.RevocationFailedAt));
        Put(map, ExpiryWarnedKey, InstantText(version.ExpiryWarnedAt));
        return WriteMap(map);
    }

    /// <summary>
    /// Reads the metadata column into the version's typed state and its free-form metadata. Rows written before the
    /// state was typed carry it as metadata strings (<c>slot</c>, and the instants in NodaTime's general pattern): they
    /// are migrated on read.
    /// </summary>
    public static KeyVersion ReadVersionMetadata(KeyVersion version, string json)
    {
        var map = ReadMap(json);
        if (!map.ContainsKey(SlotKey) && !map.ContainsKey(LegacySlotKey) && !map.ContainsKey(RevocationFailedKey) && !map.ContainsKey(ExpiryWarnedKey))
        {
            return version with { Metadata = map };
        }

        var rest = map.Where(e => e.Key is not (SlotKey or LegacySlotKey or RevocationFailedKey or ExpiryWarnedKey)).ToDictionary(StringComparer.Ordinal);
        return version with
        {
            Metadata = rest,
            Slot = map.GetValueOrDefault(SlotKey) ?? map.GetValueOrDefault(LegacySlotKey),
            RevocationFailedAt = ParseStateInstant(map.GetValueOrDefault(RevocationFailedKey)),
            ExpiryWarnedAt = ParseStateInstant(map.GetValueOrDefault(ExpiryWarnedKey)),
        };
    }

    private static void Put(Dictionary<string, string> map, string key, string? value)
    {
        if (value is not null)
        {
            map[key] = value;
        }
    }

    // Extended ISO-8601 is what this code writes; the general pattern ("g") is what the metadata strings held.
    private static Instant? ParseStateInstant(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var extended = InstantPattern.ExtendedIso.Parse(text);
        return extended.Success ? extended.Value : InstantPattern.General.Parse(text).GetValueOrThrow();
    }

    public static string WritePolicy(RotationPolicy policy)
        => JsonSerializer.Serialize(ToPolicyDto(policy), StorageJsonContext.Default.PolicyDto);

    public static PolicyDto ToPolicyDto(RotationPolicy policy)
    {
        return new PolicyDto
        {
            Schedule = policy.Schedule?.Text,
            Window = policy.Window is { } window
                ? new WindowDto
                {
                    Days = [.. window.Days.Order().Select(d => (int)d)],
                    Start = LocalTimePattern.ExtendedIso.Format(window.Start),
                    Length = DurationPattern.Roundtrip.Format(window.Length),
                    Zone = window.Zone.Id,
                }
                : null,
            GracePeriod = DurationText(policy.GracePeriod),
            ExpiryWarningLead = DurationText(policy.ExpiryWarningLead),
            KeyLifetime = DurationText(policy.KeyLifetime),
            RenewBeforeExpiry = DurationText(policy.RenewBeforeExpiry),
            Jitter = policy.Jitter == Duration.Zero ? null : DurationText(policy.Jitter),
        };
    }

    public static RotationPolicy ReadPolicy(string json)
        => FromPolicyDto(JsonSerializer.Deserialize(json, StorageJsonContext.Default.PolicyDto) ?? new PolicyDto());

    public static RotationPolicy FromPolicyDto(PolicyDto dto)
    {

        // Checked on the way out as on the way in, so a row edited to an unbounded span (P10000Y) is refused with a
        // RotationPolicyException when it is read, not an overflow later when a due time is computed.
        var policy = new RotationPolicy
        {
            Schedule = dto.Schedule is null ? null : RotationSchedule.Parse(dto.Schedule),
            Window = dto.Window is { } window
                ? new MaintenanceWindow(
                    window.Days.Select(d => (IsoDayOfWeek)d),
                    LocalTimePattern.ExtendedIso.Parse(window.Start).GetValueOrThrow(),
                    ParseDuration(window.Length),
                    Zone(window.Zone))
                : null,
            GracePeriod = ParseNullableDuration(dto.GracePeriod),
            ExpiryWarningLead = ParseNullableDuration(dto.ExpiryWarningLead),
            KeyLifetime = ParseNullableDuration(dto.KeyLifetime),
            RenewBeforeExpiry = ParseNullableDuration(dto.RenewBeforeExpiry),
            Jitter = ParseNullableDuration(dto.Jitter) ?? Duration.Zero,
        };
        policy.Validate();
        return policy;
    }

    public static string WriteLimits(UsageLimits limits)
        => JsonSerializer.Serialize(ToLimitsDto(limits), StorageJsonContext.Default.LimitsDto);

    public static LimitsDto ToLimitsDto(UsageLimits limits) => new()
    {
        Limits = [.. limits.Limits.Select(l => new LimitDto { Metric = (int)l.Metric, Window = (int)l.Window, Limit = l.Limit, Enforcement = (int)l.Enforcement })],
        AlertThresholds = [.. limits.AlertThresholds],
    };

    public static UsageLimits ReadLimits(string json)
        => FromLimitsDto(JsonSerializer.Deserialize(json, StorageJsonContext.Default.LimitsDto) ?? new LimitsDto());

    public static UsageLimits FromLimitsDto(LimitsDto dto)
    {
        return new UsageLimits
        {
            Limits = [.. dto.Limits.Select(l => new UsageLimit((UsageMetric)l.Metric, (UsageWindow)l.Window, l.Limit, (LimitEnforcement)l.Enforcement))],
            AlertThresholds = [.. dto.AlertThresholds],
        };
    }

    public static string WriteAuditEvent(AuditEvent auditEvent)
        => JsonSerializer.Serialize(ToAuditEventDto(auditEvent), StorageJsonContext.Default.AuditEventDto);

    public static AuditEventDto ToAuditEventDto(AuditEvent auditEvent)
    {
        return new AuditEventDto
        {
            Actor = auditEvent.Actor,
            Action = auditEvent.Action.Value,
            Target = auditEvent.Target,
            Timestamp = InstantPattern.ExtendedIso.Format(auditEvent.Timestamp),
            IpAddress = auditEvent.IpAddress,
            Reason = auditEvent.Reason,
            Outcome = (int)auditEvent.Outcome,
            Details = auditEvent.Details.Count == 0 ? null : auditEvent.Details.ToDictionary(StringComparer.Ordinal),
        };
    }

    public static AuditEvent ReadAuditEvent(string json)
        => FromAuditEventDto(JsonSerializer.Deserialize(json, StorageJsonContext.Default.AuditEventDto)
            ?? throw new IronCageException("An IronCage audit record holds no event; the database was changed outside IronCage."));

    public static AuditEvent FromAuditEventDto(AuditEventDto dto)
    {
        return new AuditEvent
        {
            Actor = dto.Actor,
            Action = dto.Action.Length == 0 ? default : new AuditAction(dto.Action),
            Target = dto.Target,
            Timestamp = InstantPattern.ExtendedIso.Parse(dto.Timestamp).GetValueOrThrow(),
            IpAddress = dto.IpAddress,
            Reason = dto.Reason,
            Outcome = (AuditOutcome)dto.Outcome,
            Details = dto.Details is null ? FrozenDictionary<string, string>.Empty : dto.Details.ToFrozenDictionary(StringComparer.Ordinal),
        };
    }

    /// <summary>Reads a stored event for verification: <see langword="null"/> instead of an exception when the row holds something IronCage never writes.</summary>
    public static AuditEvent? TryReadAuditEvent(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return ReadAuditEvent(json);
        }
        catch (Exception e) when (e is JsonException or IronCageException or ArgumentException or FormatException or InvalidOperationException or NotSupportedException or NodaTime.Text.UnparsableValueException)
        {
            return null;
        }
    }

    /// <summary>Reads a stored event, or says which record cannot be read and what to do.</summary>
    public static AuditEvent ReadAuditEvent(long sequence, string json)
        => TryReadAuditEvent(json) ?? throw new IronCageException($"Audit record {sequence} cannot be read: its stored event was changed outside IronCage. Run VerifyAsync to see the first tampered record.");

    public static string WriteOperation(RotationOperation operation)
        => JsonSerializer.Serialize(ToOperationDto(operation), StorageJsonContext.Default.OperationDto);

    public static OperationDto ToOperationDto(RotationOperation operation)
    {
        return new OperationDto
        {
            Reason = (int)operation.Reason,
            Tier = (int)operation.Tier,
            RequestedBy = operation.RequestedBy,
            RequestedAt = InstantText(operation.RequestedAt),
            UpdatedAt = InstantText(operation.UpdatedAt),
            Note = operation.Note,
            Kind = (int)operation.Kind,
            PreviousVersionId = operation.PreviousVersionId,
            PreviousProviderKeyId = operation.PreviousProviderKeyId,
            EarlyRevocation = operation.EarlyRevocation == EarlyRevocation.None ? null : (int)operation.EarlyRevocation,
            NewVersionId = operation.NewVersionId,
            ProviderKeyName = operation.ProviderKeyName,
            CreateAttempted = operation.CreateAttempted,
            NewProviderKeyId = operation.NewProviderKeyId,
            NewDisplayHint = operation.NewDisplayHint,
            NewFingerprint = operation.NewFingerprint,
            NewExpiresAt = InstantText(operation.NewExpiresAt),
            GracePeriodOverride = DurationText(operation.GracePeriodOverride),
            GraceEndsAt = InstantText(operation.GraceEndsAt),
            RemindersSent = operation.RemindersSent,
            LastReminderAt = InstantText(operation.LastReminderAt),
            Attempts = operation.Attempts,
            NextAttemptAt = InstantText(operation.NextAttemptAt),
            LastError = operation.LastError,
            RollbackReason = operation.RollbackReason,
            EndedAt = InstantText(operation.EndedAt),
            AdoptionNotBefore = InstantText(operation.AdoptionNotBefore),
            AdoptionCheckAt = InstantText(operation.AdoptionCheckAt),
            Adoption = operation.Adoption is { } adoption
                ? new AdoptionDto
                {
                    State = (int)adoption.State,
                    CheckedAt = InstantText(adoption.CheckedAt),
                    LiveInstances = adoption.LiveInstances,
                    InstancesOnPrevious = [.. adoption.InstancesOnPrevious],
                    InFlightOnPrevious = adoption.InFlightOnPrevious,
                    DroppedInstances = [.. adoption.DroppedInstances],
                    PendingConsumers = [.. adoption.PendingConsumers],
                }
                : null,
            DistributedTo = operation.DistributedTo.Count == 0 ? null : [.. operation.DistributedTo.Select(c => new ConfirmationDto { Target = c.Target, TargetVersion = c.TargetVersion, AlreadyCurrent = c.AlreadyCurrent, ConfirmedAt = InstantText(c.ConfirmedAt) })],
        };
    }

    public static string WriteHeartbeat(InstanceHeartbeat heartbeat)
        => JsonSerializer.Serialize(new HeartbeatDto { Versions = [.. heartbeat.Versions.Select(v => new ServedDto { Key = v.Key.ToString(), VersionId = v.VersionId, Serving = v.Serving, InFlight = v.InFlight, LastUsedAt = InstantText(v.LastUsedAt) })] }, StorageJsonContext.Default.HeartbeatDto);

    public static InstanceHeartbeat ReadHeartbeat(string instanceId, Instant sentAt, string json)
    {
        var dto = JsonSerializer.Deserialize(json, StorageJsonContext.Default.HeartbeatDto) ?? new HeartbeatDto();
        return new InstanceHeartbeat
        {
            InstanceId = instanceId,
            SentAt = sentAt,
            Versions = [.. dto.Versions.Select(v => new ServedKeyVersion { Key = KeyReference.Parse(v.Key), VersionId = v.VersionId, Serving = v.Serving, InFlight = v.InFlight, LastUsedAt = ParseInstant(v.LastUsedAt) })],
        };
    }

    public static RotationOperation ReadOperation(string operationId, KeyReference key, RotationStep step, long token, string json, EncryptedSecret? newSecret)
        => FromOperationDto(
            operationId,
            key,
            step,
            token,
            JsonSerializer.Deserialize(json, StorageJsonContext.Default.OperationDto)
                ?? throw new IronCageException($"Rotation operation {operationId} has no body; the database was changed outside IronCage."),
            newSecret);

    public static RotationOperation FromOperationDto(string operationId, KeyReference key, RotationStep step, long token, OperationDto dto, EncryptedSecret? newSecret)
    {
        return new RotationOperation
        {
            OperationId = operationId,
            Key = key,
            Reason = (RotationReason)dto.Reason,
            Tier = (RotationTier)dto.Tier,
            Step = step,
            RequestedBy = dto.RequestedBy,
            RequestedAt = ParseInstant(dto.RequestedAt)!.Value,
            UpdatedAt = ParseInstant(dto.UpdatedAt)!.Value,
            Note = dto.Note,
            Kind = KindOf(dto),
            PreviousVersionId = dto.PreviousVersionId,
            PreviousProviderKeyId = dto.PreviousProviderKeyId,
            EarlyRevocation = dto.EarlyRevocation is { } early ? (EarlyRevocation)early : dto.PreviousRevokedEarly ? EarlyRevocation.Revoked : EarlyRevocation.None,
            NewVersionId = dto.NewVersionId,
            ProviderKeyName = dto.ProviderKeyName,
            CreateAttempted = dto.CreateAttempted,
            NewProviderKeyId = dto.NewProviderKeyId,
            NewSecret = newSecret,
            NewDisplayHint = dto.NewDisplayHint,
            NewFingerprint = dto.NewFingerprint,
            NewExpiresAt = ParseInstant(dto.NewExpiresAt),
            GracePeriodOverride = ParseNullableDuration(dto.GracePeriodOverride),
            GraceEndsAt = ParseInstant(dto.GraceEndsAt),
            RemindersSent = dto.RemindersSent,
            LastReminderAt = ParseInstant(dto.LastReminderAt),
            Attempts = dto.Attempts,
            NextAttemptAt = ParseInstant(dto.NextAttemptAt),
            LastError = dto.LastError,
            RollbackReason = dto.RollbackReason,
            EndedAt = ParseInstant(dto.EndedAt),
            AdoptionNotBefore = ParseInstant(dto.AdoptionNotBefore),
            AdoptionCheckAt = ParseInstant(dto.AdoptionCheckAt),
            Adoption = dto.Adoption is { } adoption
                ? new KeyAdoptionStatus
                {
                    State = (KeyAdoptionState)adoption.State,
                    CheckedAt = ParseInstant(adoption.CheckedAt) ?? Instant.MinValue,
                    LiveInstances = adoption.LiveInstances,
                    InstancesOnPrevious = adoption.InstancesOnPrevious ?? [],
                    InFlightOnPrevious = adoption.InFlightOnPrevious,
                    DroppedInstances = adoption.DroppedInstances ?? [],
                    PendingConsumers = adoption.PendingConsumers ?? [],
                }
                : null,
            DistributedTo = dto.DistributedTo is { Count: > 0 } confirmations
                ? [.. confirmations.Select(c => new KeyDistributionConfirmation { Target = c.Target, TargetVersion = c.TargetVersion, AlreadyCurrent = c.AlreadyCurrent, ConfirmedAt = ParseInstant(c.ConfirmedAt) ?? Instant.MinValue })]
                : [],
            ConcurrencyToken = token,
        };
    }

    // Rows written before the operation kind existed carry the two flags it replaced.
    private static RotationOperationKind KindOf(OperationDto dto) => dto.Kind is { } kind
        ? (RotationOperationKind)kind
        : dto.RevokeOnly ? RotationOperationKind.Revocation : dto.RevokeFirst ? RotationOperationKind.RevokeFirstRotation : RotationOperationKind.Rotation;

    public static string? InstantTextOf(Instant? instant) => InstantText(instant);

    public static Instant? ParseInstantText(string? text) => ParseInstant(text);

    private static string? DurationText(Duration? duration) => duration is { } value ? DurationPattern.Roundtrip.Format(value) : null;

    private static Duration ParseDuration(string text) => DurationPattern.Roundtrip.Parse(text).GetValueOrThrow();

    private static Duration? ParseNullableDuration(string? text) => text is null ? null : ParseDuration(text);

    private static string? InstantText(Instant? instant) => instant is { } value ? InstantPattern.ExtendedIso.Format(value) : null;

    private static Instant? ParseInstant(string? text) => text is null ? null : InstantPattern.ExtendedIso.Parse(text).GetValueOrThrow();

    private static DateTimeZone Zone(string id)
        => DateTimeZoneProviders.Tzdb.GetZoneOrNull(id)
            ?? DateTimeZoneProviders.Bcl.GetZoneOrNull(id)
            ?? throw new IronCageException($"A stored maintenance window uses the time zone '{id}', which this machine's time zone database does not know. Update NodaTime, or change the key's policy.");
}
