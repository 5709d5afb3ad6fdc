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
}
