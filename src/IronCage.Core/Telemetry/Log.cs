using IronCage.Auditing;
using IronCage.Storage;
using Microsoft.Extensions.Logging;

namespace IronCage.Telemetry;

/// <summary>IronCage.Core's log messages (event ids 1–999). Key ids and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Verified {Provider} key {KeyHint}: valid ({StatusCode}) in {ElapsedMs} ms.")]
    public static partial void KeyVerified(ILogger logger, ProviderId provider, string keyHint, int? statusCode, long elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Verification of {Provider} key {KeyHint} failed: {ErrorKind} ({StatusCode}, code {ProviderErrorCode}, request {RequestId}).")]
    public static partial void KeyVerificationFailed(ILogger logger, ProviderId provider, string keyHint, ProviderErrorKind? errorKind, int? statusCode, string? providerErrorCode, string? requestId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Verification of {Provider} key {KeyHint} could not reach the provider: {Reason}.")]
    public static partial void KeyVerificationUnreachable(ILogger logger, ProviderId provider, string keyHint, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "IronCage is using the in-memory key store: managed keys and their versions are lost when the process stops. Register a durable IKeyStore (PersistToSqlite, from IronCage.Storage.Sqlite) for real use.")]
    public static partial void InMemoryKeyStoreInUse(ILogger logger);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "IronCage is using the in-memory audit log: the audit trail is lost when the process stops.")]
    public static partial void InMemoryAuditLogInUse(ILogger logger);

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Exported audit checkpoint at record {Sequence} (head {Hash}).")]
    public static partial void AuditCheckpointExported(ILogger logger, long sequence, string hash);

    [LoggerMessage(EventId = 41, Level = LogLevel.Critical, Message = "The audit chain failed verification at record {FirstInvalidSequence} ({Tamper}): {Reason} No checkpoint was exported; investigate the database before trusting its audit trail.")]
    public static partial void AuditChainBroken(ILogger logger, long? firstInvalidSequence, AuditTamperKind? tamper, string reason);

    [LoggerMessage(EventId = 42, Level = LogLevel.Critical, Message = "The latest audit checkpoint (record {Sequence}) does not carry a valid MAC: it was forged or changed, or made under another master key. No checkpoint was exported.")]
    public static partial void AuditCheckpointNotAuthentic(ILogger logger, long sequence);

    [LoggerMessage(EventId = 43, Level = LogLevel.Error, Message = "Exporting the audit checkpoint failed; the next interval tries again.")]
    public static partial void AuditCheckpointExportFailed(ILogger logger, Exception exception);
}
