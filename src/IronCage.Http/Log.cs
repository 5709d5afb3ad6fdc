using IronCage.Http;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Http;

/// <summary>IronCage.Http's log messages (event ids 3000–3999). Key references, version ids and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "Key {Key}: version {VersionId} ({Hint}) loaded into the resolver cache.")]
    public static partial void KeyLoaded(ILogger logger, KeyReference key, string versionId, string hint);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Key {Key}: cached copy dropped; the next request reads the store.")]
    public static partial void KeyInvalidated(ILogger logger, KeyReference key);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Key {Key}: the key store could not be read; serving the cached key meanwhile.")]
    public static partial void StoreUnavailableServingCached(ILogger logger, KeyReference key, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Key {Key} version {VersionId} is not used ({Reason}) until {Until}: {Detail}")]
    public static partial void KeyRestricted(ILogger logger, KeyReference key, string versionId, KeySkipReason reason, Instant? until, string detail);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Request through {Key}: the provider rejected version {VersionId} ({Hint}); the key changed in the store, retrying once with version {NewVersionId}.")]
    public static partial void RetryingWithRefreshedKey(ILogger logger, KeyReference key, string versionId, string hint, string newVersionId);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Request through {Key} failed ({Kind}, HTTP {Status}); trying the next key of pool {Pool}.")]
    public static partial void FailingOver(ILogger logger, KeyReference key, string kind, int status, string pool);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Debug, Message = "Request through {Key} is not retried: its content cannot be sent twice (stream content). Buffer the content to let IronCage retry and fail over.")]
    public static partial void NotReplayable(ILogger logger, KeyReference key);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Warning, Message = "Request through {Key} is not resent with another key: it was redirected away from the origin it was addressed to.")]
    public static partial void NotResentAcrossOrigins(ILogger logger, KeyReference key);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Warning, Message = "Key {Key}: the response's usage could not be read ({Reason}); the call is recorded without tokens.")]
    public static partial void UsageUnreadable(ILogger logger, KeyReference key, string reason);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "Live credential of {Key} could not be updated after a change; it keeps the previous key until the next change.")]
    public static partial void CredentialUpdateFailed(ILogger logger, KeyReference key, Exception exception);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Warning, Message = "Key {Key}: the budget hold could not be settled; the reservation keeps its worst-case amount.")]
    public static partial void SettleFailed(ILogger logger, KeyReference key, Exception exception);

    [LoggerMessage(EventId = 3040, Level = LogLevel.Warning, Message = "The heartbeat of instance {InstanceId} could not be written; rotations waiting for adoption drop this instance if it stays silent past their instance timeout.")]
    public static partial void HeartbeatFailed(ILogger logger, string instanceId, Exception exception);

    [LoggerMessage(EventId = 3041, Level = LogLevel.Debug, Message = "Heartbeat: {Key} could not be resolved; the version used last is reported instead.")]
    public static partial void HeartbeatResolveFailed(ILogger logger, KeyReference key, Exception exception);
}
