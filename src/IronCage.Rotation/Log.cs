using IronCage.Providers;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>IronCage.Rotation's log messages (event ids 1000–1999). Key references, version ids and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Rotation {OperationId} of {Key} started ({Reason}, {Tier}).")]
    public static partial void RotationStarted(ILogger logger, string operationId, KeyReference key, RotationReason reason, RotationTier tier);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Rotation {OperationId} of {Key} reached {Step}.")]
    public static partial void StepReached(ILogger logger, string operationId, KeyReference key, RotationStep step);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Rotation {OperationId} of {Key} completed: version {VersionId} ({Hint}) is current.")]
    public static partial void RotationCompleted(ILogger logger, string operationId, KeyReference key, string versionId, string? hint);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Rotation {OperationId} of {Key} failed at {Step} and was rolled back: {Reason}")]
    public static partial void RotationFailed(ILogger logger, string operationId, KeyReference key, RotationStep step, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Rotation {OperationId} of {Key}: {Step} failed (attempt {Attempt}); retrying after {RetryAt}: {Reason}")]
    public static partial void StepDeferred(ILogger logger, string operationId, KeyReference key, RotationStep step, int attempt, NodaTime.Instant retryAt, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "Rotation {OperationId} of {Key}: the previous version {VersionId} could not be revoked after {Attempts} attempts; revoke it at the provider by hand: {Reason}")]
    public static partial void RevocationFailed(ILogger logger, string operationId, KeyReference key, string? versionId, int attempts, string reason);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error, Message = "Rotation {OperationId} of {Key}: rolling back could not remove the new provider key {ProviderKeyId}; delete it at the provider: {Reason}")]
    public static partial void RollbackIncomplete(ILogger logger, string operationId, KeyReference key, string? providerKeyId, string reason);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Error, Message = "Rotation {OperationId} of {Key}: rolling back could not look for a key an interrupted create may have left under the name {ProviderKeyName}; look for it at the provider and delete it: {Reason}")]
    public static partial void RollbackSweepFailed(ILogger logger, string operationId, KeyReference key, string? providerKeyName, string reason);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Warning, Message = "Managed key {Key}: {Fix}")]
    public static partial void AdapterMissing(ILogger logger, KeyReference key, string fix);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Information, Message = "The start-up check that the master key opens the stored secrets was skipped: the key store could not be read yet.")]
    public static partial void StartupCheckSkipped(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Version {VersionId} of {Key} was killed: it is never served again.")]
    public static partial void VersionKilled(ILogger logger, KeyReference key, string versionId);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Rotation {OperationId} of {Key}: a key created by an interrupted attempt ({ProviderKeyId}) was found by its name and removed.")]
    public static partial void OrphanRemoved(ILogger logger, string operationId, KeyReference key, string providerKeyId);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Rotation event subscriber {Subscriber} failed on {EventType} for {Key}.")]
    public static partial void SubscriberFailed(ILogger logger, string subscriber, string eventType, KeyReference key, Exception exception);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Error, Message = "The rotation scheduler could not work on {Key} ({ErrorType}); the pass goes on with the other keys, and this one is tried again on the next pass.")]
    public static partial void SchedulerKeyError(ILogger logger, KeyReference key, string errorType, Exception exception);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Error, Message = "A rotation scheduler pass failed; the next pass runs as planned.")]
    public static partial void SchedulerPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Debug, Message = "Rotation scheduler pass: {Started} started, {Resumed} resumed, {Completed} completed, {Failed} failed, {Reminders} reminders, {ExpiryWarnings} expiry warnings, {Skipped} skipped (held by another instance), {Errors} errors.")]
    public static partial void SchedulerPass(ILogger logger, int started, int resumed, int completed, int failed, int reminders, int expiryWarnings, int skipped, int errors);

    [LoggerMessage(EventId = 1025, Level = LogLevel.Error, Message = "The rotation scheduler could not read its {Source}; the pass goes on with the other source.")]
    public static partial void SchedulerSourceFailed(ILogger logger, string source, Exception exception);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Warning, Message = "The rotation scheduler could not renew its lease on {Key} (it expires at {ExpiresAt}); it tries again.")]
    public static partial void SchedulerLeaseRenewalFailed(ILogger logger, KeyReference key, Instant expiresAt, Exception exception);

    [LoggerMessage(EventId = 1024, Level = LogLevel.Warning, Message = "The rotation scheduler instance {InstanceId} lost its lease on {Key}; its work on the key stopped and is resumed by whoever holds the key.")]
    public static partial void SchedulerLeaseLost(ILogger logger, KeyReference key, string instanceId);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Rotation {OperationId} of {Key}: another engine moved the rotation on while this one created {ProviderKeyId}; that key was removed.")]
    public static partial void UnrecordedKeyRemoved(ILogger logger, string operationId, KeyReference key, string providerKeyId);

    [LoggerMessage(EventId = 1040, Level = LogLevel.Information, Message = "Rotation {OperationId} of {Key}: distribution target {Target} confirmed the new key (target version {TargetVersion}, already current: {AlreadyCurrent}).")]
    public static partial void TargetConfirmed(ILogger logger, string operationId, KeyReference key, string target, string? targetVersion, bool alreadyCurrent);

    [LoggerMessage(EventId = 1041, Level = LogLevel.Error, Message = "Rotation {OperationId} of {Key}: rolling back could not restore distribution target {Target}; it still holds the discarded new key, so write the current key to it by hand: {Reason}")]
    public static partial void TargetRestoreFailed(ILogger logger, string operationId, KeyReference key, string target, string reason);

    [LoggerMessage(EventId = 1042, Level = LogLevel.Information, Message = "Rotation {OperationId} of {Key}: waiting for adoption before revoking version {VersionId}: {Summary}")]
    public static partial void AdoptionWaiting(ILogger logger, string operationId, KeyReference key, string versionId, string summary);

    [LoggerMessage(EventId = 1043, Level = LogLevel.Information, Message = "Rotation {OperationId} of {Key}: version {VersionId} may be revoked: {Summary}")]
    public static partial void AdoptionSettled(ILogger logger, string operationId, KeyReference key, string versionId, string summary);

    // Re-wrapping stored secrets under the current key-encryption key: 1050–1059.
    [LoggerMessage(EventId = 1050, Level = LogLevel.Information, Message = "Re-wrap under key-encryption key {KeyEncryptionKeyId}: {Keys} key(s) and {Operations} unfinished rotation(s) hold secrets under another key.")]
    public static partial void RewrapStarting(ILogger logger, string keyEncryptionKeyId, int keys, int operations);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Debug, Message = "Re-wrap batch {Batch}: {KeysDone}/{KeysTotal} key(s), {Versions} version(s) so far.")]
    public static partial void RewrapBatch(ILogger logger, int batch, int keysDone, int keysTotal, int versions);

    [LoggerMessage(EventId = 1052, Level = LogLevel.Information, Message = "Re-wrapped {Versions} version(s) of {Keys} key(s) and {Operations} unfinished rotation(s) under key-encryption key {KeyEncryptionKeyId} in {Batches} batch(es).")]
    public static partial void RewrapCompleted(ILogger logger, int versions, int keys, int operations, string keyEncryptionKeyId, int batches);

    [LoggerMessage(EventId = 1053, Level = LogLevel.Debug, Message = "Re-wrap of {Key} met a concurrent change; reading it again (attempt {Attempt}).")]
    public static partial void RewrapConflict(ILogger logger, KeyReference key, int attempt);

    [LoggerMessage(EventId = 1054, Level = LogLevel.Debug, Message = "Re-wrap of rotation {OperationId} met a concurrent change; reading it again (attempt {Attempt}).")]
    public static partial void RewrapOperationConflict(ILogger logger, string operationId, int attempt);

    [LoggerMessage(EventId = 1055, Level = LogLevel.Warning, Message = "Rollback of rotation {OperationId} of {Key} waits: {Targets} distribution target(s) still hold the new key after a transient failure (attempt {Attempt}); the new key stays live until they hold the old key again. Next attempt at {RetryAt}.")]
    public static partial void RollbackDeferred(ILogger logger, string operationId, KeyReference key, int targets, int attempt, Instant retryAt);

    [LoggerMessage(EventId = 1060, Level = LogLevel.Information, Message = "Exported backup {BackupId}: {Keys} key(s), {Versions} version(s), {Operations} operation(s), {AuditRecords} audit record(s); its MAC key is wrapped by key-encryption key {KeyEncryptionKeyId}.")]
    public static partial void BackupExported(ILogger logger, string backupId, int keys, int versions, int operations, long auditRecords, string keyEncryptionKeyId);

    [LoggerMessage(EventId = 1061, Level = LogLevel.Information, Message = "Restored backup {BackupId}: {Keys} key(s), {Versions} version(s), {Operations} operation(s); {Skipped} key(s) skipped (already in the store).")]
    public static partial void BackupRestored(ILogger logger, string backupId, int keys, int versions, int operations, int skipped);

    [LoggerMessage(EventId = 1062, Level = LogLevel.Warning, Message = "Restore refused ({Problem}, key-encryption key {KeyEncryptionKeyId}); nothing was written.")]
    public static partial void RestoreRefused(ILogger logger, StoreBackupProblem problem, string? keyEncryptionKeyId);

    [LoggerMessage(EventId = 1063, Level = LogLevel.Error, Message = "Restore of backup {BackupId} failed while writing; deleting the {Keys} key(s) it wrote ({Operations} operation(s) written stay; a restore with merge skips them).")]
    public static partial void RestoreRolledBack(ILogger logger, Exception exception, string backupId, int keys, int operations);

    [LoggerMessage(EventId = 1064, Level = LogLevel.Information, Message = "Version {VersionId} of {Key} is no longer served; nothing can revoke a generated key, so it stays valid until it expires at {ValidUntil}.")]
    public static partial void RetiredUntilExpiry(ILogger logger, KeyReference key, string versionId, NodaTime.Instant validUntil);

    [LoggerMessage(EventId = 1065, Level = LogLevel.Information, Message = "Registered {Key} with a key generated from the host's credentials (version {VersionId}, {DisplayHint}, expires {ExpiresAt}).")]
    public static partial void GeneratedKeyRegistered(ILogger logger, KeyReference key, string versionId, string displayHint, NodaTime.Instant expiresAt);
}
