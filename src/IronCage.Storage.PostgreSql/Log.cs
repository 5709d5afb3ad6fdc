using Microsoft.Extensions.Logging;

namespace IronCage.Storage.PostgreSql;

/// <summary>IronCage.Storage.PostgreSql's log messages (event ids 2100–2199 of Storage's 2000–2999). Database names, key references and tokens only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Migrated the IronCage database {Database} from schema version {FromVersion} to {ToVersion}.")]
    public static partial void SchemaMigrated(ILogger logger, string database, int fromVersion, int toVersion);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "Applied migration {Version} to the IronCage database {Database}: {Description}.")]
    public static partial void MigrationApplied(ILogger logger, string database, int version, string description);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "The IronCage database {Database} is at schema version {Version}.")]
    public static partial void SchemaChecked(ILogger logger, string database, int version);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Debug, Message = "Managed key {Key} was not written: it changed since it was read (expected token {ExpectedToken}, found {ActualToken}).")]
    public static partial void KeyConflict(ILogger logger, KeyReference key, long expectedToken, long? actualToken);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Debug, Message = "Rotation operation {OperationId} of {Key} was not written: another writer moved it on, or the key has another operation under way ({ActiveOperationId}).")]
    public static partial void OperationConflict(ILogger logger, string operationId, KeyReference key, string? activeOperationId);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Debug, Message = "Listening for IronCage key changes on {Database} (channel {Channel}).")]
    public static partial void ChangeFeedListening(ILogger logger, string database, string channel);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "The IronCage key change feed lost its connection to {Database}; reconnecting in {Delay}. Changes made meanwhile are not announced: consumers should refresh what they cache.")]
    public static partial void ChangeFeedDisconnected(ILogger logger, Exception exception, string database, TimeSpan delay);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Warning, Message = "The IronCage key change feed received a payload that is not a key reference on channel {Channel}; ignored.")]
    public static partial void ChangeFeedBadPayload(ILogger logger, string channel);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Error, Message = "A handler of the IronCage key change feed failed for {Key}.")]
    public static partial void ChangeFeedHandlerFailed(ILogger logger, Exception exception, KeyReference key);

    [LoggerMessage(EventId = 2150, Level = LogLevel.Critical, Message = "Version {VersionId} of {Key} in {Database} does not match its state seal: its stage, kill or revocation state was changed outside IronCage. The key is refused until the row is restored.")]
    public static partial void KeyStateTampered(ILogger logger, KeyReference key, string versionId, string database);

    [LoggerMessage(EventId = 2151, Level = LogLevel.Warning, Message = "Sealed the state of {Count} key version(s) stored in {Database} before state seals existed.")]
    public static partial void LegacyVersionsSealed(ILogger logger, string database, int count);
}
