using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Storage;

namespace IronCage.Rotation;

/// <summary>
/// The backup file's lines (format <see cref="FormatName"/> version <see cref="FormatVersion"/>, see docs/backup.md):
/// UTF-8 JSON, one object per line, each ending in <c>\n</c>. The model is mapped to plain DTOs by hand, as the stores'
/// JSON columns are (policies, limits, operations and audit events reuse those DTOs), so the format is IronCage's own and
/// is read and written by a source-generated context: no reflection.
/// </summary>
internal static class BackupFormat
{
    public const string FormatName = "ironcage-backup";

    public const int FormatVersion = 1;

    public const string MacAlgorithm = "HMAC-SHA256";

    public const string HeaderType = "header";

    public const string KeyType = "key";

    public const string OperationType = "operation";

    public const string AuditType = "audit";

    public const string EndType = "end";

    public const string MacType = "mac";

    /// <summary>The longest line a restore reads: far above any key IronCage's bounds allow, low enough that a hostile file cannot exhaust memory.</summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    public static byte[] Serialize(BackupLine line)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(line, BackupJsonContext.Default.BackupLine);
        var withNewLine = new byte[bytes.Length + 1];
        bytes.CopyTo(withNewLine, 0);
        withNewLine[^1] = (byte)'\n';
        return withNewLine;
    }

    public static BackupLine? TryParse(ReadOnlySpan<byte> line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, BackupJsonContext.Default.BackupLine);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    public static KeyDto ToDto(ManagedKey key) => new()
    {
        Reference = key.Reference.ToString(),
        Kind = (int)key.Kind,
        Description = key.Description,
        Labels = Map(key.Labels),
        Scope = Map(key.Scope),
        Policy = StorageJson.ToPolicyDto(key.Policy),
        Limits = StorageJson.ToLimitsDto(key.Limits),
        CreatedAt = StorageJson.InstantTextOf(key.CreatedAt)!,
        Versions = [.. key.Versions.Select(ToDto)],
    };

    public static ManagedKey FromDto(KeyDto dto) => new()
    {
        Reference = KeyReference.Parse(dto.Reference),
        Kind = (KeyKind)dto.Kind,
        Description = dto.Description,
        Labels = Frozen(dto.Labels),
        Scope = Frozen(dto.Scope),
        Policy = StorageJson.FromPolicyDto(dto.Policy ?? new StorageJson.PolicyDto()),
        Limits = StorageJson.FromLimitsDto(dto.Limits ?? new StorageJson.LimitsDto()),
        CreatedAt = Instant(dto.CreatedAt),
        Versions = [.. dto.Versions.Select(FromDto)],
    };

    public static OperationLineDto ToDto(RotationOperation operation) => new()
    {
        OperationId = operation.OperationId,
        Key = operation.Key.ToString(),
        Step = (int)operation.Step,
        NewSecret = operation.NewSecret is { } secret ? ToDto(secret) : null,
        Body = StorageJson.ToOperationDto(operation),
    };

    public static RotationOperation FromDto(OperationLineDto dto)
        => StorageJson.FromOperationDto(dto.OperationId, KeyReference.Parse(dto.Key), (RotationStep)dto.Step, 0, dto.Body ?? throw new JsonException("An operation line has no body."), dto.NewSecret is { } secret ? FromDto(secret) : null);

    public static AuditLineDto ToDto(AuditRecord record) => new()
    {
        Sequence = record.Sequence,
        PreviousHash = record.PreviousHash,
        Hash = record.Hash,
        Event = StorageJson.ToAuditEventDto(record.Event),
    };

    private static VersionDto ToDto(KeyVersion version) => new()
    {
        VersionId = version.VersionId,
        ProviderKeyId = version.ProviderKeyId,
        Stage = (int)version.Stage,
        CreatedAt = StorageJson.InstantTextOf(version.CreatedAt)!,
        ActivatedAt = StorageJson.InstantTextOf(version.ActivatedAt),
        ExpiresAt = StorageJson.InstantTextOf(version.ExpiresAt),
        RevokedAt = StorageJson.InstantTextOf(version.RevokedAt),
        KilledAt = StorageJson.InstantTextOf(version.KilledAt),
        LastUsedAt = StorageJson.InstantTextOf(version.LastUsedAt),
        DisplayHint = version.DisplayHint,
        Fingerprint = version.Fingerprint,
        Secret = ToDto(version.Secret),
        Slot = version.Slot,
        RevocationFailedAt = StorageJson.InstantTextOf(version.RevocationFailedAt),
        ExpiryWarnedAt = StorageJson.InstantTextOf(version.ExpiryWarnedAt),
        Metadata = Map(version.Metadata),
    };

    private static KeyVersion FromDto(VersionDto dto) => new()
    {
        VersionId = dto.VersionId,
        ProviderKeyId = dto.ProviderKeyId,
        Stage = (KeyStage)dto.Stage,
        CreatedAt = Instant(dto.CreatedAt),
        ActivatedAt = StorageJson.ParseInstantText(dto.ActivatedAt),
        ExpiresAt = StorageJson.ParseInstantText(dto.ExpiresAt),
        RevokedAt = StorageJson.ParseInstantText(dto.RevokedAt),
        KilledAt = StorageJson.ParseInstantText(dto.KilledAt),
        LastUsedAt = StorageJson.ParseInstantText(dto.LastUsedAt),
        DisplayHint = dto.DisplayHint,
        Fingerprint = dto.Fingerprint,
        Secret = FromDto(dto.Secret ?? throw new JsonException($"Version {dto.VersionId} has no sealed secret.")),
        Slot = dto.Slot,
        RevocationFailedAt = StorageJson.ParseInstantText(dto.RevocationFailedAt),
        ExpiryWarnedAt = StorageJson.ParseInstantText(dto.ExpiryWarnedAt),
        Metadata = Frozen(dto.Metadata),
    };

    private static SecretDto ToDto(EncryptedSecret secret) => new()
    {
        FormatVersion = secret.FormatVersion,
        Kek = secret.KeyEncryptionKeyId,
        WrappedDataKey = secret.WrappedDataKey.ToArray(),
        Nonce = secret.Nonce.ToArray(),
        Ciphertext = secret.Ciphertext.ToArray(),
    };

    private static EncryptedSecret FromDto(SecretDto dto) => new()
    {
        FormatVersion = dto.FormatVersion,
        KeyEncryptionKeyId = dto.Kek,
        WrappedDataKey = dto.WrappedDataKey,
        Nonce = dto.Nonce,
        Ciphertext = dto.Ciphertext,
    };

    private static Dictionary<string, string>? Map(IReadOnlyDictionary<string, string> map)
        => map.Count == 0 ? null : map.ToDictionary(StringComparer.Ordinal);

    private static FrozenDictionary<string, string> Frozen(Dictionary<string, string>? map)
        => map is null || map.Count == 0 ? FrozenDictionary<string, string>.Empty : map.ToFrozenDictionary(StringComparer.Ordinal);

    private static NodaTime.Instant Instant(string text)
        => StorageJson.ParseInstantText(text) ?? throw new JsonException("An instant is missing.");

    /// <summary>One line: <see cref="Type"/> says which of the other members it carries.</summary>
    internal sealed class BackupLine
    {
        public string Type { get; set; } = string.Empty;

        public HeaderDto? Header { get; set; }

        public KeyDto? Key { get; set; }

        public OperationLineDto? Operation { get; set; }

        public AuditLineDto? Audit { get; set; }

        public EndDto? End { get; set; }

        public byte[]? Mac { get; set; }
    }

    internal sealed class HeaderDto
    {
        public string Format { get; set; } = string.Empty;

        public int FormatVersion { get; set; }

        public string BackupId { get; set; } = string.Empty;

        public string CreatedAt { get; set; } = string.Empty;

        public string? CreatedBy { get; set; }

        public string MacAlgorithm { get; set; } = string.Empty;

        public string Kek { get; set; } = string.Empty;

        public byte[] MacKey { get; set; } = [];
    }

    internal sealed class KeyDto
    {
        public string Reference { get; set; } = string.Empty;

        public int Kind { get; set; }

        public string? Description { get; set; }

        public Dictionary<string, string>? Labels { get; set; }

        public Dictionary<string, string>? Scope { get; set; }

        public StorageJson.PolicyDto? Policy { get; set; }

        public StorageJson.LimitsDto? Limits { get; set; }

        public string CreatedAt { get; set; } = string.Empty;

        public List<VersionDto> Versions { get; set; } = [];
    }

    internal sealed class VersionDto
    {
        public string VersionId { get; set; } = string.Empty;

        public string? ProviderKeyId { get; set; }

        public int Stage { get; set; }

        public string CreatedAt { get; set; } = string.Empty;

        public string? ActivatedAt { get; set; }

        public string? ExpiresAt { get; set; }

        public string? RevokedAt { get; set; }

        public string? KilledAt { get; set; }

        public string? LastUsedAt { get; set; }

        public string DisplayHint { get; set; } = string.Empty;

        public string Fingerprint { get; set; } = string.Empty;

        public SecretDto? Secret { get; set; }

        public string? Slot { get; set; }

        public string? RevocationFailedAt { get; set; }

        public string? ExpiryWarnedAt { get; set; }

        public Dictionary<string, string>? Metadata { get; set; }
    }

    internal sealed class SecretDto
    {
        public int FormatVersion { get; set; }

        public string Kek { get; set; } = string.Empty;

        public byte[] WrappedDataKey { get; set; } = [];

        public byte[] Nonce { get; set; } = [];

        public byte[] Ciphertext { get; set; } = [];
    }

    internal sealed class OperationLineDto
    {
        public string OperationId { get; set; } = string.Empty;

        public string Key { get; set; } = string.Empty;

        public int Step { get; set; }

        public SecretDto? NewSecret { get; set; }

        public StorageJson.OperationDto? Body { get; set; }
    }

    internal sealed class AuditLineDto
    {
        public long Sequence { get; set; }

        public string PreviousHash { get; set; } = string.Empty;

        public string Hash { get; set; } = string.Empty;

        public StorageJson.AuditEventDto? Event { get; set; }
    }

    internal sealed class EndDto
    {
        public int Keys { get; set; }

        public int Versions { get; set; }

        public int Operations { get; set; }

        public long AuditRecords { get; set; }

        public long? AuditHeadSequence { get; set; }

        public string? AuditHeadHash { get; set; }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BackupFormat.BackupLine))]
internal sealed partial class BackupJsonContext : JsonSerializerContext;
