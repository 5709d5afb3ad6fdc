using System.Text.Json.Serialization;

namespace IronCage.Storage;

/// <summary>The DTOs of the JSON columns: plain strings and numbers, the stored format itself (see <see cref="StorageJson"/>).</summary>
internal static partial class StorageJson
{
    internal sealed class PolicyDto
    {
        public string? Schedule { get; set; }

        public WindowDto? Window { get; set; }

        public string? GracePeriod { get; set; }

        public string? ExpiryWarningLead { get; set; }

        public string? KeyLifetime { get; set; }

        // Absent in rows written before renewal leads existed: they renew nothing before expiry, as before.
        public string? RenewBeforeExpiry { get; set; }

        public string? Jitter { get; set; }
    }

    internal sealed class WindowDto
    {
        public List<int> Days { get; set; } = [];

        public string Start { get; set; } = string.Empty;

        public string Length { get; set; } = string.Empty;

        public string Zone { get; set; } = string.Empty;
    }

    internal sealed class LimitsDto
    {
        public List<LimitDto> Limits { get; set; } = [];

        public List<decimal> AlertThresholds { get; set; } = [];
    }

    internal sealed class LimitDto
    {
        public int Metric { get; set; }

        public int Window { get; set; }

        public decimal Limit { get; set; }

        public int Enforcement { get; set; }
    }

    internal sealed class AuditEventDto
    {
        public string Actor { get; set; } = string.Empty;

        public string Action { get; set; } = string.Empty;

        public string Target { get; set; } = string.Empty;

        public string Timestamp { get; set; } = string.Empty;

        public string? IpAddress { get; set; }

        public string? Reason { get; set; }

        public int Outcome { get; set; }

        public Dictionary<string, string>? Details { get; set; }
    }

    internal sealed class OperationDto
    {
        public int Reason { get; set; }

        public int Tier { get; set; }

        public string RequestedBy { get; set; } = string.Empty;

        public string? RequestedAt { get; set; }

        public string? UpdatedAt { get; set; }

        public string? Note { get; set; }

        public int? Kind { get; set; }

        // Read from rows written before Kind: never written again.
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public bool RevokeFirst { get; set; }

        // Read from rows written before Kind: never written again.
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public bool RevokeOnly { get; set; }

        public string? PreviousVersionId { get; set; }

        public string? PreviousProviderKeyId { get; set; }

        public int? EarlyRevocation { get; set; }

        // Read from rows written before EarlyRevocation: never written again.
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public bool PreviousRevokedEarly { get; set; }

        public string NewVersionId { get; set; } = string.Empty;

        public string? ProviderKeyName { get; set; }

        public bool CreateAttempted { get; set; }

        public string? NewProviderKeyId { get; set; }

        public string? NewDisplayHint { get; set; }

        public string? NewFingerprint { get; set; }

        public string? NewExpiresAt { get; set; }

        public string? GracePeriodOverride { get; set; }

        public string? GraceEndsAt { get; set; }

        public int RemindersSent { get; set; }

        public string? LastReminderAt { get; set; }

        public int Attempts { get; set; }

        public string? NextAttemptAt { get; set; }

        public string? LastError { get; set; }

        public string? RollbackReason { get; set; }

        public string? EndedAt { get; set; }

        public List<ConfirmationDto>? DistributedTo { get; set; }

        public string? AdoptionNotBefore { get; set; }

        public string? AdoptionCheckAt { get; set; }

        public AdoptionDto? Adoption { get; set; }
    }

    internal sealed class AdoptionDto
    {
        public int State { get; set; }

        public string? CheckedAt { get; set; }

        public int LiveInstances { get; set; }

        public List<string>? InstancesOnPrevious { get; set; }

        public long InFlightOnPrevious { get; set; }

        public List<string>? DroppedInstances { get; set; }

        public List<string>? PendingConsumers { get; set; }
    }

    internal sealed class HeartbeatDto
    {
        public List<ServedDto> Versions { get; set; } = [];
    }

    internal sealed class ServedDto
    {
        public string Key { get; set; } = string.Empty;

        public string VersionId { get; set; } = string.Empty;

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public bool Serving { get; set; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public long InFlight { get; set; }

        public string? LastUsedAt { get; set; }
    }

    internal sealed class ConfirmationDto
    {
        public string Target { get; set; } = string.Empty;

        public string? TargetVersion { get; set; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public bool AlreadyCurrent { get; set; }

        public string? ConfirmedAt { get; set; }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(StorageJson.PolicyDto))]
[JsonSerializable(typeof(StorageJson.LimitsDto))]
[JsonSerializable(typeof(StorageJson.AuditEventDto))]
[JsonSerializable(typeof(StorageJson.OperationDto))]
[JsonSerializable(typeof(StorageJson.HeartbeatDto))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
