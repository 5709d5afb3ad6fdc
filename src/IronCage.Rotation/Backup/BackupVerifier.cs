using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using IronCage.Encryption;
using IronCage.Storage;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// Reads a whole backup file and checks it before anything is written: the header, the MAC key (unwrapped by the KEK the
/// header names), the HMAC over every byte up to the MAC line, the order and count of the lines, and each key's
/// invariants. A problem is a <see cref="StoreBackupException"/> naming it; a changed file is reported as a MAC mismatch
/// even where the change also broke a line's JSON, because the MAC is checked before the first unreadable line is blamed.
/// </summary>
internal static class BackupVerifier
{
    public static async Task<VerifiedBackup> ReadAsync(Stream source, IKeyEncryptionKeyProvider keyEncryptionKeys, CancellationToken cancellationToken)
    {
        var reader = new BackupLineReader(source);
        var first = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new StoreBackupException(StoreBackupProblem.Truncated, "The backup file is empty.");
        var header = BackupFormat.TryParse(first.Line) is { Type: BackupFormat.HeaderType, Header: { } h } && h.Format == BackupFormat.FormatName
            ? h
            : throw new StoreBackupException(StoreBackupProblem.Malformed, $"This is not an IronCage backup: its first line is not an '{BackupFormat.FormatName}' header.");
        if (header.FormatVersion > BackupFormat.FormatVersion || header.FormatVersion < 1)
        {
            throw new StoreBackupException(StoreBackupProblem.UnsupportedVersion, $"Backup {header.BackupId} has format version {header.FormatVersion}; this IronCage reads version {BackupFormat.FormatVersion}. Restore it with the IronCage version that wrote it, or a newer one.");
        }

        if (header.MacAlgorithm != BackupFormat.MacAlgorithm)
        {
            throw new StoreBackupException(StoreBackupProblem.UnsupportedVersion, $"Backup {header.BackupId} is authenticated with '{header.MacAlgorithm}'; this IronCage checks {BackupFormat.MacAlgorithm} only.");
        }

        if (!first.Terminated)
        {
            throw Truncated(header.BackupId);
        }

        var macKey = await UnwrapMacKeyAsync(header, keyEncryptionKeys, cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadBodyAsync(reader, header, first.Line, macKey, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(macKey);
        }
    }

    private static async Task<byte[]> UnwrapMacKeyAsync(BackupFormat.HeaderDto header, IKeyEncryptionKeyProvider keyEncryptionKeys, CancellationToken cancellationToken)
    {
        try
        {
            return await keyEncryptionKeys.UnwrapKeyAsync(new WrappedKey(header.Kek, header.MacKey), cancellationToken).ConfigureAwait(false);
        }
        catch (SecretDecryptionException e)
        {
            throw new StoreBackupException(
                StoreBackupProblem.KeyEncryptionKeyUnavailable,
                $"Backup {header.BackupId} can only be checked with key-encryption key '{header.Kek}', which this host does not have (its current key is '{keyEncryptionKeys.CurrentKeyId}'), or the header's wrapped MAC key was changed. Configure that master key (as the master key or in RetiredMasterKeys) or that KMS key, then restore again. Nothing was restored.",
                header.Kek,
                e);
        }
    }

    private static async Task<VerifiedBackup> ReadBodyAsync(BackupLineReader reader, BackupFormat.HeaderDto header, byte[] headerLine, byte[] macKey, CancellationToken cancellationToken)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, macKey);
        Append(hmac, headerLine);

        var keys = new List<BackupFormat.KeyDto>();
        var operations = new List<BackupFormat.OperationLineDto>();
        long auditRecords = 0;
        BackupFormat.AuditLineDto? auditHead = null;
        BackupFormat.EndDto? end = null;
        string? firstProblem = null;
        byte[]? mac = null;

        // Lines come in this order: keys, operations, audit records, the summary; anything else is a problem, reported
        // only once the MAC has been checked.
        var phase = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } read)
        {
            if (!read.Terminated)
            {
                throw Truncated(header.BackupId);
            }

            var line = BackupFormat.TryParse(read.Line);
            if (line is { Type: BackupFormat.MacType, Mac: { } value } && mac is null)
            {
                mac = value;
                continue;
            }

            if (mac is not null)
            {
                throw new StoreBackupException(StoreBackupProblem.MacMismatch, $"Backup {header.BackupId} has lines after its MAC line (line {reader.LineNumber.ToString(CultureInfo.InvariantCulture)}): lines were added to it. Nothing was restored; restore the file as it was exported.");
            }

            Append(hmac, read.Line);
            var (linePhase, accepted) = line switch
            {
                { Type: BackupFormat.KeyType, Key: { } key } => (1, Add(keys, key)),
                { Type: BackupFormat.OperationType, Operation: { } operation } => (2, Add(operations, operation)),
                { Type: BackupFormat.AuditType, Audit: { } audit } => (3, Audit(ref auditRecords, ref auditHead, audit)),
                { Type: BackupFormat.EndType, End: { } summary } when end is null => (4, Set(ref end, summary)),
                _ => (-1, false),
            };
            if (firstProblem is null && (!accepted || linePhase < phase || phase == 4))
            {
                firstProblem = $"line {reader.LineNumber.ToString(CultureInfo.InvariantCulture)} cannot be read or is out of place";
            }

            phase = Math.Max(phase, linePhase);
        }

        if (mac is null)
        {
            throw Truncated(header.BackupId);
        }

        if (!CryptographicOperations.FixedTimeEquals(hmac.GetHashAndReset(), mac))
        {
            throw new StoreBackupException(StoreBackupProblem.MacMismatch, $"Backup {header.BackupId} does not match its MAC: a byte was changed, or lines were dropped, added or reordered. Nothing was restored; restore the file as it was exported.");
        }

        if (firstProblem is not null || end is null)
        {
            throw new StoreBackupException(StoreBackupProblem.Malformed, $"Backup {header.BackupId} matches its MAC but {firstProblem ?? "has no summary line"}: it was written by a faulty exporter. Nothing was restored.");
        }

        var versions = keys.Sum(k => k.Versions.Count);
        if (end.Keys != keys.Count || end.Versions != versions || end.Operations != operations.Count || end.AuditRecords != auditRecords)
        {
            throw new StoreBackupException(StoreBackupProblem.Malformed, $"Backup {header.BackupId} says it holds {end.Keys} key(s), {end.Versions} version(s), {end.Operations} operation(s) and {end.AuditRecords} audit record(s), but holds {keys.Count}, {versions}, {operations.Count} and {auditRecords}. Nothing was restored.");
        }

        return new VerifiedBackup
        {
            BackupId = header.BackupId,
            CreatedAt = StorageJson.ParseInstantText(header.CreatedAt) ?? throw new StoreBackupException(StoreBackupProblem.Malformed, $"Backup {header.BackupId} has no creation time."),
            KeyEncryptionKeyId = header.Kek,
            Keys = Map(header.BackupId, keys),
            Operations = Map(header.BackupId, operations),
            AuditRecords = auditRecords,
            AuditHeadSequence = auditHead?.Sequence,
            AuditHeadHash = auditHead?.Hash,
        };
    }

    private static List<ManagedKey> Map(string backupId, List<BackupFormat.KeyDto> dtos)
    {
        var keys = new List<ManagedKey>(dtos.Count);
        var seen = new HashSet<KeyReference>();
        foreach (var dto in dtos)
        {
            var key = Decode(backupId, $"key '{dto.Reference}'", () => BackupFormat.FromDto(dto));
            Decode(backupId, $"key '{dto.Reference}'", () =>
            {
                key.Validate();
                return key;
            });
            if (!seen.Add(key.Reference))
            {
                throw new StoreBackupException(StoreBackupProblem.Malformed, $"Backup {backupId} holds key '{key.Reference}' twice. Nothing was restored.");
            }

            keys.Add(key);
        }

        return keys;
    }

    private static List<RotationOperation> Map(string backupId, List<BackupFormat.OperationLineDto> dtos)
        => [.. dtos.Select(dto => Decode(backupId, $"operation {dto.OperationId}", () => BackupFormat.FromDto(dto)))];

    private static T Decode<T>(string backupId, string what, Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (Exception e) when (e is JsonException or IronCageException or ArgumentException or FormatException or InvalidOperationException or NodaTime.Text.UnparsableValueException)
        {
            throw new StoreBackupException(StoreBackupProblem.Malformed, $"Backup {backupId} matches its MAC but its {what} cannot be restored: {e.Message}", innerException: e);
        }
    }

    private static bool Add<T>(List<T> list, T item)
    {
        list.Add(item);
        return true;
    }

    private static bool Audit(ref long count, ref BackupFormat.AuditLineDto? head, BackupFormat.AuditLineDto record)
    {
        count++;
        head = record;
        return true;
    }

    private static bool Set(ref BackupFormat.EndDto? end, BackupFormat.EndDto value)
    {
        end = value;
        return true;
    }

    private static void Append(IncrementalHash hmac, byte[] line)
    {
        hmac.AppendData(line);
        hmac.AppendData("\n"u8);
    }

    private static StoreBackupException Truncated(string backupId)
        => new(StoreBackupProblem.Truncated, $"Backup {backupId} ends before its MAC line: the file was cut short, or its export did not finish. Nothing was restored; export again or restore a complete copy.");
}

/// <summary>A backup whose MAC, order and counts checked out, decoded.</summary>
internal sealed record VerifiedBackup
{
    public required string BackupId { get; init; }

    public required Instant CreatedAt { get; init; }

    public required string KeyEncryptionKeyId { get; init; }

    public required IReadOnlyList<ManagedKey> Keys { get; init; }

    public required IReadOnlyList<RotationOperation> Operations { get; init; }

    public long AuditRecords { get; init; }

    public long? AuditHeadSequence { get; init; }

    public string? AuditHeadHash { get; init; }
}
