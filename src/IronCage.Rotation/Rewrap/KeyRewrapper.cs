using System.Globalization;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Storage;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The built-in <see cref="IKeyRewrapper"/>: reads the store for secrets under another KEK, re-wraps them key by key
/// (each key one optimistic-concurrency write, retried on a concurrent change) in batches, then the new keys of the
/// unfinished rotations, renews their fingerprints, and audits every changed key and operation as <c>key.rewrap</c>.
/// </summary>
/// <remarks>
/// A key is written before its audit record: a process killed between the two leaves that key re-wrapped without its
/// record (the next run's summary record counts what was still stale). Rotations may run at the same time: a key or
/// operation they change in between is read again and re-wrapped as it is then.
/// </remarks>
public sealed class KeyRewrapper : IKeyRewrapper
{
    private const int MaxAttempts = 5;

    private readonly IKeyStore _keys;
    private readonly IRotationStore _rotations;
    private readonly ISecretProtector _protector;
    private readonly IKeyEncryptionKeyProvider _keyEncryptionKeys;
    private readonly ISecretFingerprinter _fingerprinter;
    private readonly IAuditLog _audit;
    private readonly IClock _clock;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="keys">The key store.</param>
    /// <param name="rotations">The rotation store (unfinished operations hold sealed new keys).</param>
    /// <param name="protector">Re-wraps sealed secrets.</param>
    /// <param name="keyEncryptionKeys">The KEK provider whose current KEK everything is re-wrapped under.</param>
    /// <param name="fingerprinter">Renews each re-wrapped secret's fingerprint (fingerprint keys derive from the master key).</param>
    /// <param name="audit">The audit log.</param>
    /// <param name="clock">The clock.</param>
    /// <param name="logger">The logger.</param>
    public KeyRewrapper(IKeyStore keys, IRotationStore rotations, ISecretProtector protector, IKeyEncryptionKeyProvider keyEncryptionKeys, ISecretFingerprinter fingerprinter, IAuditLog audit, IClock clock, ILogger<KeyRewrapper> logger)
    {
        ArgumentNullException.ThrowIfNull(fingerprinter);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(rotations);
        ArgumentNullException.ThrowIfNull(protector);
        ArgumentNullException.ThrowIfNull(keyEncryptionKeys);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        _keys = keys;
        _rotations = rotations;
        _protector = protector;
        _keyEncryptionKeys = keyEncryptionKeys;
        _fingerprinter = fingerprinter;
        _audit = audit;
        _clock = clock;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<KeyEncryptionStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var current = _keyEncryptionKeys.CurrentKeyId;
        var usage = new Dictionary<string, (int Keys, int Versions, int Operations)>(StringComparer.Ordinal);
        await foreach (var key in _keys.ListAsync(null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var group in key.Versions.GroupBy(v => v.Secret.KeyEncryptionKeyId, StringComparer.Ordinal))
            {
                var counts = usage.GetValueOrDefault(group.Key);
                usage[group.Key] = (counts.Keys + 1, counts.Versions + group.Count(), counts.Operations);
            }
        }

        await foreach (var operation in _rotations.ListActiveAsync(cancellationToken).ConfigureAwait(false))
        {
            if (operation.NewSecret is { } secret)
            {
                var counts = usage.GetValueOrDefault(secret.KeyEncryptionKeyId);
                usage[secret.KeyEncryptionKeyId] = (counts.Keys, counts.Versions, counts.Operations + 1);
            }
        }

        return new KeyEncryptionStatus
        {
            CurrentKeyId = current,
            Usage = [.. usage
                .OrderBy(u => u.Key == current ? 0 : 1)
                .ThenBy(u => u.Key, StringComparer.Ordinal)
                .Select(u => new KeyEncryptionKeyUsage(u.Key, u.Value.Keys, u.Value.Versions, u.Value.Operations))],
        };
    }

    /// <inheritdoc />
    public async Task<KeyRewrapResult> RewrapAsync(KeyRewrapRequest? request = null, IProgress<KeyRewrapProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        request ??= new KeyRewrapRequest();
        if (request.BatchSize is < 1 or > KeyRewrapRequest.MaxBatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.BatchSize, $"KeyRewrapRequest.BatchSize must be 1 to {KeyRewrapRequest.MaxBatchSize} (default {KeyRewrapRequest.DefaultBatchSize}).");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(request.Actor, nameof(request));
        var current = _keyEncryptionKeys.CurrentKeyId;

        // What is stale is read from the store itself, so a run that stopped half-way is finished by running it again.
        var staleKeys = new List<KeyReference>();
        var staleVersions = 0;
        var previous = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var key in _keys.ListAsync(null, cancellationToken).ConfigureAwait(false))
        {
            var stale = key.Versions.Where(v => v.Secret.KeyEncryptionKeyId != current).ToList();
            if (stale.Count > 0)
            {
                staleKeys.Add(key.Reference);
                staleVersions += stale.Count;
                previous.UnionWith(stale.Select(v => v.Secret.KeyEncryptionKeyId));
            }
        }

        var staleOperations = new List<RotationOperation>();
        await foreach (var operation in _rotations.ListActiveAsync(cancellationToken).ConfigureAwait(false))
        {
            if (operation.NewSecret is { } secret && secret.KeyEncryptionKeyId != current)
            {
                staleOperations.Add(operation);
                previous.Add(secret.KeyEncryptionKeyId);
            }
        }

        if (request.DryRun)
        {
            return new KeyRewrapResult { CurrentKeyId = current, DryRun = true, Keys = staleKeys.Count, Versions = staleVersions, Operations = staleOperations.Count, PreviousKeyIds = [.. previous] };
        }

        Log.RewrapStarting(_logger, current, staleKeys.Count, staleOperations.Count);
        int keys = 0, versions = 0, batches = 0;
        for (var start = 0; start < staleKeys.Count; start += request.BatchSize)
        {
            foreach (var reference in staleKeys.Skip(start).Take(request.BatchSize))
            {
                var rewrapped = await RewrapKeyAsync(reference, current, request.Actor, cancellationToken).ConfigureAwait(false);
                if (rewrapped > 0)
                {
                    keys++;
                    versions += rewrapped;
                }
            }

            batches++;
            var done = Math.Min(start + request.BatchSize, staleKeys.Count);
            Log.RewrapBatch(_logger, batches, done, staleKeys.Count, versions);
            progress?.Report(new KeyRewrapProgress(batches, done, staleKeys.Count, versions));
        }

        var operations = 0;
        foreach (var operation in staleOperations)
        {
            operations += await RewrapOperationAsync(operation, current, request.Actor, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        if (keys + operations > 0)
        {
            await _audit.AppendAsync(
                new AuditEvent
                {
                    Actor = request.Actor,
                    Action = AuditAction.KeyRewrap,
                    Target = "store",
                    Timestamp = _clock.GetCurrentInstant(),
                    Details = new Dictionary<string, string>
                    {
                        ["kek"] = current,
                        ["previous"] = string.Join(",", previous),
                        ["keys"] = keys.ToString(CultureInfo.InvariantCulture),
                        ["versions"] = versions.ToString(CultureInfo.InvariantCulture),
                        ["operations"] = operations.ToString(CultureInfo.InvariantCulture),
                    },
                },
                CancellationToken.None).ConfigureAwait(false);
        }

        Log.RewrapCompleted(_logger, versions, keys, operations, current, batches);
        return new KeyRewrapResult { CurrentKeyId = current, Keys = keys, Versions = versions, Operations = operations, Batches = batches, PreviousKeyIds = [.. previous] };
    }

    /// <summary>Re-wraps one key's stale versions in one write; on a concurrent change reads it again. Returns how many versions changed.</summary>
    private async Task<int> RewrapKeyAsync(KeyReference reference, string current, string actor, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ManagedKey key;
            try
            {
                key = await _keys.GetAsync(reference, cancellationToken).ConfigureAwait(false);
            }
            catch (ManagedKeyNotFoundException)
            {
                return 0; // deleted since the listing: nothing left to re-wrap
            }

            var stale = key.Versions.Where(v => v.Secret.KeyEncryptionKeyId != current).ToList();
            if (stale.Count == 0)
            {
                return 0;
            }

            var from = string.Join(",", stale.Select(v => v.Secret.KeyEncryptionKeyId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
            foreach (var version in stale)
            {
                var secret = await _protector.RewrapAsync(version.Secret, cancellationToken).ConfigureAwait(false);
                var fingerprint = await FingerprintAsync(secret, reference, version.VersionId, cancellationToken).ConfigureAwait(false);
                key = key.WithVersion(version with { Secret = secret, Fingerprint = fingerprint });
            }

            try
            {
                // The write is not cancelled half-way: once it starts, its audit record follows it.
                await _keys.UpdateAsync(key, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                Log.RewrapConflict(_logger, reference, attempt);
                continue;
            }

            await _audit.AppendAsync(Audit(actor, reference.ToString(), current, from, ("versions", stale.Count.ToString(CultureInfo.InvariantCulture))), CancellationToken.None).ConfigureAwait(false);
            return stale.Count;
        }
    }

    private async Task<bool> RewrapOperationAsync(RotationOperation listed, string current, string actor, CancellationToken cancellationToken)
    {
        var operation = listed;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (operation.NewSecret is not { } secret || secret.KeyEncryptionKeyId == current)
            {
                return false;
            }

            var newSecret = await _protector.RewrapAsync(secret, cancellationToken).ConfigureAwait(false);
            var rewrapped = operation with
            {
                NewSecret = newSecret,
                NewFingerprint = operation.NewFingerprint is null ? null : await FingerprintAsync(newSecret, operation.Key, operation.NewVersionId, cancellationToken).ConfigureAwait(false),
            };
            try
            {
                await _rotations.UpdateAsync(rewrapped, CancellationToken.None).ConfigureAwait(false);
            }
            catch (RotationConflictException) when (attempt < MaxAttempts)
            {
                Log.RewrapOperationConflict(_logger, operation.OperationId, attempt);
                var fresh = await _rotations.FindActiveAsync(operation.Key, cancellationToken).ConfigureAwait(false);
                if (fresh is null || fresh.OperationId != operation.OperationId)
                {
                    return false; // it finished in between
                }

                operation = fresh;
                continue;
            }

            await _audit.AppendAsync(Audit(actor, operation.Key.ToString(), current, secret.KeyEncryptionKeyId, ("operation", operation.OperationId)), CancellationToken.None).ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>
    /// The secret's fingerprint under the current fingerprint key: fingerprint keys derive from the master key, so one made
    /// under the old master key would stop matching leaked text once the old key is removed. The secret is opened in
    /// memory for this only and zeroed at once.
    /// </summary>
    private async ValueTask<string> FingerprintAsync(EncryptedSecret secret, KeyReference key, string versionId, CancellationToken cancellationToken)
    {
        using var value = await _protector.OpenAsync(secret, new SecretBinding(key, versionId), cancellationToken).ConfigureAwait(false);
        return _fingerprinter.Compute(value);
    }

    private AuditEvent Audit(string actor, string target, string current, string from, (string Name, string Value) detail) => new()
    {
        Actor = actor,
        Action = AuditAction.KeyRewrap,
        Target = target,
        Timestamp = _clock.GetCurrentInstant(),
        Details = new Dictionary<string, string> { ["kek"] = current, ["previous"] = from, [detail.Name] = detail.Value },
    };
}
