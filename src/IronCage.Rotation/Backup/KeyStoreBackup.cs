using System.Globalization;
using System.Security.Cryptography;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Storage;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The built-in <see cref="IKeyStoreBackup"/>: exports the key and rotation stores (and the audit log, for reference) line
/// by line under a MAC whose key the KEK provider wraps; restores by verifying the whole file first (<see cref="BackupVerifier"/>),
/// optionally opening every secret, then writing through the stores' own APIs so every row gets a fresh integrity seal.
/// </summary>
/// <remarks>
/// It lives in IronCage.Rotation because a backup holds rotation operations and <see cref="IRotationStore"/> is defined
/// here; Core knows no package above it. A store failure or cancellation while writing deletes the keys written so far;
/// operations already written stay (<see cref="IRotationStore"/> has no delete), which a second restore with
/// <see cref="StoreRestoreOptions.Merge"/> skips by id.
/// </remarks>
internal sealed class KeyStoreBackup : IKeyStoreBackup
{
    private const int MacKeyBytes = 32;

    private readonly IKeyStore _keys;
    private readonly IRotationStore _rotations;
    private readonly IAuditLog _audit;
    private readonly IKeyEncryptionKeyProvider _keyEncryptionKeys;
    private readonly BackupSecretCheck _secrets;
    private readonly IClock _clock;
    private readonly ILogger _logger;

    public KeyStoreBackup(IKeyStore keys, IRotationStore rotations, IAuditLog audit, IKeyEncryptionKeyProvider keyEncryptionKeys, BackupSecretCheck secrets, IClock clock, ILogger<KeyStoreBackup> logger)
    {
        _keys = keys;
        _rotations = rotations;
        _audit = audit;
        _keyEncryptionKeys = keyEncryptionKeys;
        _secrets = secrets;
        _clock = clock;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<StoreBackupReport> ExportAsync(Stream destination, StoreBackupOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        options ??= new StoreBackupOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Actor, nameof(options));

        var backupId = "bk_" + Guid.NewGuid().ToString("N");
        var createdAt = _clock.GetCurrentInstant();
        var macKey = RandomNumberGenerator.GetBytes(MacKeyBytes);
        try
        {
            var wrapped = await _keyEncryptionKeys.WrapKeyAsync(macKey, cancellationToken).ConfigureAwait(false);
            using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, macKey);
            var writer = new LineWriter(destination, hmac);
            await writer.WriteAsync(
                new BackupFormat.BackupLine
                {
                    Type = BackupFormat.HeaderType,
                    Header = new BackupFormat.HeaderDto
                    {
                        Format = BackupFormat.FormatName,
                        FormatVersion = BackupFormat.FormatVersion,
                        BackupId = backupId,
                        CreatedAt = StorageJson.InstantTextOf(createdAt)!,
                        CreatedBy = options.Actor,
                        MacAlgorithm = BackupFormat.MacAlgorithm,
                        Kek = wrapped.KeyEncryptionKeyId,
                        MacKey = wrapped.Ciphertext.ToArray(),
                    },
                },
                cancellationToken).ConfigureAwait(false);

            var end = new BackupFormat.EndDto();
            var keks = new SortedSet<string>(StringComparer.Ordinal);
            var references = new List<KeyReference>();
            await foreach (var key in _keys.ListAsync(null, cancellationToken).ConfigureAwait(false))
            {
                await writer.WriteAsync(new BackupFormat.BackupLine { Type = BackupFormat.KeyType, Key = BackupFormat.ToDto(key) }, cancellationToken).ConfigureAwait(false);
                references.Add(key.Reference);
                end.Keys++;
                end.Versions += key.Versions.Count;
                keks.UnionWith(key.Versions.Select(v => v.Secret.KeyEncryptionKeyId));
            }

            await foreach (var operation in OperationsAsync(references, options.IncludeFinishedOperations, cancellationToken).ConfigureAwait(false))
            {
                await writer.WriteAsync(new BackupFormat.BackupLine { Type = BackupFormat.OperationType, Operation = BackupFormat.ToDto(operation) }, cancellationToken).ConfigureAwait(false);
                end.Operations++;
                if (operation.NewSecret is { } secret)
                {
                    keks.Add(secret.KeyEncryptionKeyId);
                }
            }

            if (options.IncludeAuditLog)
            {
                await foreach (var record in _audit.ReadAsync(1, cancellationToken).ConfigureAwait(false))
                {
                    await writer.WriteAsync(new BackupFormat.BackupLine { Type = BackupFormat.AuditType, Audit = BackupFormat.ToDto(record) }, cancellationToken).ConfigureAwait(false);
                    end.AuditRecords++;
                    end.AuditHeadSequence = record.Sequence;
                    end.AuditHeadHash = record.Hash;
                }
            }

            await writer.WriteAsync(new BackupFormat.BackupLine { Type = BackupFormat.EndType, End = end }, cancellationToken).ConfigureAwait(false);
            await writer.WriteMacAsync(cancellationToken).ConfigureAwait(false);
            await destination.FlushAsync(cancellationToken).ConfigureAwait(false);

            await _audit.AppendAsync(
                new AuditEvent
                {
                    Actor = options.Actor,
                    Action = AuditAction.StoreBackup,
                    Target = "store",
                    Timestamp = _clock.GetCurrentInstant(),
                    Details = new Dictionary<string, string>
                    {
                        ["backup"] = backupId,
                        ["kek"] = wrapped.KeyEncryptionKeyId,
                        ["keys"] = Text(end.Keys),
                        ["versions"] = Text(end.Versions),
                        ["operations"] = Text(end.Operations),
                        ["audit-records"] = Text(end.AuditRecords),
                    },
                },
                CancellationToken.None).ConfigureAwait(false);
            Log.BackupExported(_logger, backupId, end.Keys, end.Versions, end.Operations, end.AuditRecords, wrapped.KeyEncryptionKeyId);
            return new StoreBackupReport
            {
                BackupId = backupId,
                CreatedAt = createdAt,
                KeyEncryptionKeyId = wrapped.KeyEncryptionKeyId,
                Keys = end.Keys,
                Versions = end.Versions,
                Operations = end.Operations,
                AuditRecords = end.AuditRecords,
                SecretKeyEncryptionKeyIds = [.. keks],
                Bytes = writer.Bytes,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(macKey);
        }
    }

    /// <inheritdoc />
    public async Task<StoreRestoreReport> RestoreAsync(Stream source, StoreRestoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new StoreRestoreOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Actor, nameof(options));

        VerifiedBackup backup;
        int secretsVerified;
        try
        {
            backup = await BackupVerifier.ReadAsync(source, _keyEncryptionKeys, cancellationToken).ConfigureAwait(false);
            secretsVerified = options.VerifySecrets ? await _secrets.CheckAsync(backup, cancellationToken).ConfigureAwait(false) : 0;
            await CheckTargetAsync(backup, options, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreBackupException e)
        {
            Log.RestoreRefused(_logger, e.Problem, e.KeyEncryptionKeyId);
            throw;
        }

        var skipped = new HashSet<KeyReference>();
        if (options.Merge)
        {
            foreach (var key in backup.Keys)
            {
                if (await _keys.FindAsync(key.Reference, cancellationToken).ConfigureAwait(false) is not null)
                {
                    skipped.Add(key.Reference);
                }
            }
        }

        var toWrite = backup.Keys.Where(k => !skipped.Contains(k.Reference)).ToList();
        var operations = backup.Operations.Where(o => !skipped.Contains(o.Key)).ToList();
        if (options.DryRun)
        {
            return Report(backup, options, toWrite, operations.Count, backup.Operations.Count - operations.Count, skipped, secretsVerified);
        }

        var (written, operationsWritten) = await WriteAsync(backup, toWrite, operations, skipped, options.Merge, cancellationToken).ConfigureAwait(false);
        var report = Report(backup, options, written, operationsWritten, backup.Operations.Count - operationsWritten, skipped, secretsVerified);
        await _audit.AppendAsync(
            new AuditEvent
            {
                Actor = options.Actor,
                Action = AuditAction.StoreRestore,
                Target = "store",
                Timestamp = _clock.GetCurrentInstant(),
                Details = new Dictionary<string, string>
                {
                    ["backup"] = backup.BackupId,
                    ["backup-created-at"] = StorageJson.InstantTextOf(backup.CreatedAt)!,
                    ["keys"] = Text(report.Keys),
                    ["versions"] = Text(report.Versions),
                    ["operations"] = Text(report.Operations),
                    ["skipped-keys"] = Text(report.SkippedKeys.Count),
                    ["skipped-operations"] = Text(report.SkippedOperations),
                    ["merge"] = options.Merge ? "true" : "false",
                    ["source-audit-records"] = Text(backup.AuditRecords),
                    ["source-audit-head-sequence"] = backup.AuditHeadSequence is { } sequence ? Text(sequence) : "none",
                    ["source-audit-head-hash"] = backup.AuditHeadHash ?? "none",
                },
            },
            CancellationToken.None).ConfigureAwait(false);
        Log.BackupRestored(_logger, backup.BackupId, report.Keys, report.Versions, report.Operations, report.SkippedKeys.Count);
        return report;
    }

    private async Task CheckTargetAsync(VerifiedBackup backup, StoreRestoreOptions options, CancellationToken cancellationToken)
    {
        if (options.Merge)
        {
            return;
        }

        var keys = 0;
        await foreach (var _ in _keys.ListAsync(null, cancellationToken).ConfigureAwait(false))
        {
            keys++;
        }

        var active = 0;
        await foreach (var _ in _rotations.ListActiveAsync(cancellationToken).ConfigureAwait(false))
        {
            active++;
        }

        if (keys + active > 0)
        {
            throw new StoreBackupException(StoreBackupProblem.TargetNotEmpty, $"The store already holds {keys} managed key(s) and {active} unfinished rotation(s); backup {backup.BackupId} is restored into an empty store only. Point the host at an empty database, or merge (StoreRestoreOptions.Merge, `--merge`) to add the keys it lacks and skip those it has.");
        }
    }

    /// <summary>Writes keys, then operations; on any failure deletes the keys it wrote and rethrows.</summary>
    private async Task<(List<ManagedKey> Keys, int Operations)> WriteAsync(VerifiedBackup backup, List<ManagedKey> keys, List<RotationOperation> operations, HashSet<KeyReference> skipped, bool merge, CancellationToken cancellationToken)
    {
        var written = new List<ManagedKey>(keys.Count);
        var operationsWritten = 0;
        try
        {
            foreach (var key in keys)
            {
                try
                {
                    written.Add(await _keys.CreateAsync(key, cancellationToken).ConfigureAwait(false));
                }
                catch (ManagedKeyAlreadyExistsException) when (merge)
                {
                    // Created by someone else since the merge looked: skipped like the others.
                    skipped.Add(key.Reference);
                }
            }

            foreach (var operation in operations)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (skipped.Contains(operation.Key) || await _rotations.FindAsync(operation.OperationId, cancellationToken).ConfigureAwait(false) is not null)
                {
                    continue;
                }

                await _rotations.CreateAsync(operation, cancellationToken).ConfigureAwait(false);
                operationsWritten++;
            }
        }
        catch (Exception e)
        {
            Log.RestoreRolledBack(_logger, e, backup.BackupId, written.Count, operationsWritten);
            foreach (var key in Enumerable.Reverse(written))
            {
                try
                {
                    await _keys.DeleteAsync(key.Reference, key.ConcurrencyToken, CancellationToken.None).ConfigureAwait(false);
                }
                catch (IronCageException)
                {
                    // Changed by someone else since it was restored: theirs now.
                }
            }

            throw;
        }

        return (written, operationsWritten);
    }

    private async IAsyncEnumerable<RotationOperation> OperationsAsync(List<KeyReference> references, bool includeFinished, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (includeFinished)
        {
            foreach (var reference in references)
            {
                var forKey = new List<RotationOperation>();
                await foreach (var operation in _rotations.ListForKeyAsync(reference, cancellationToken).ConfigureAwait(false))
                {
                    forKey.Add(operation);
                }

                // Oldest first, as they happened.
                for (var i = forKey.Count - 1; i >= 0; i--)
                {
                    seen.Add(forKey[i].OperationId);
                    yield return forKey[i];
                }
            }
        }

        await foreach (var operation in _rotations.ListActiveAsync(cancellationToken).ConfigureAwait(false))
        {
            if (seen.Add(operation.OperationId))
            {
                yield return operation;
            }
        }
    }

    private static StoreRestoreReport Report(VerifiedBackup backup, StoreRestoreOptions options, List<ManagedKey> keys, int operations, int skippedOperations, HashSet<KeyReference> skipped, int secretsVerified) => new()
    {
        BackupId = backup.BackupId,
        BackupCreatedAt = backup.CreatedAt,
        DryRun = options.DryRun,
        Keys = keys.Count,
        Versions = keys.Sum(k => k.Versions.Count),
        Operations = operations,
        SecretsVerified = secretsVerified,
        SkippedKeys = [.. skipped.OrderBy(r => r.ToString(), StringComparer.Ordinal)],
        SkippedOperations = skippedOperations,
        AuditRecordsInBackup = backup.AuditRecords,
        AuditHeadSequence = backup.AuditHeadSequence,
        AuditHeadHash = backup.AuditHeadHash,
    };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes lines to the file and the MAC.</summary>
    private sealed class LineWriter(Stream destination, IncrementalHash hmac)
    {
        public long Bytes { get; private set; }

        public async ValueTask WriteAsync(BackupFormat.BackupLine line, CancellationToken cancellationToken)
        {
            var bytes = BackupFormat.Serialize(line);
            hmac.AppendData(bytes);
            await destination.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            Bytes += bytes.Length;
        }

        public async ValueTask WriteMacAsync(CancellationToken cancellationToken)
        {
            var bytes = BackupFormat.Serialize(new BackupFormat.BackupLine { Type = BackupFormat.MacType, Mac = hmac.GetHashAndReset() });
            await destination.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            Bytes += bytes.Length;
        }
    }
}
