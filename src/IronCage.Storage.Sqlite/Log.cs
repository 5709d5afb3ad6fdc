using Microsoft.Extensions.Logging;

namespace IronCage.Storage.Sqlite;

/// <summary>IronCage.Storage.Sqlite's log messages (event ids 2000–2099 of Storage's 2000–2999). File names, key references and tokens only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Migrated the IronCage database {DataSource} from schema version {FromVersion} to {ToVersion}.")]
    public static partial void SchemaMigrated(ILogger logger, string dataSource, int fromVersion, int toVersion);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Applied migration {Version} to the IronCage database {DataSource}: {Description}.")]
    public static partial void MigrationApplied(ILogger logger, string dataSource, int version, string description);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "The IronCage database {DataSource} is at schema version {Version}.")]
    public static partial void SchemaChecked(ILogger logger, string dataSource, int version);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "The IronCage database {DataSource} could not switch to WAL journaling (journal mode {JournalMode}): readers will wait for writers. Keep the file on a local disk.")]
    public static partial void WalUnavailable(ILogger logger, string dataSource, string journalMode);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "The IronCage database {DataSource} stayed locked by another connection for longer than the busy timeout ({BusyTimeout}).")]
    public static partial void DatabaseBusy(ILogger logger, string dataSource, TimeSpan busyTimeout);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Debug, Message = "Managed key {Key} was not written: it changed since it was read (expected token {ExpectedToken}, found {ActualToken}).")]
    public static partial void KeyConflict(ILogger logger, KeyReference key, long expectedToken, long? actualToken);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "Polling {DataSource} for other processes' usage failed; the next poll tries again.")]
    public static partial void UsagePollFailed(ILogger logger, Exception exception, string dataSource);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "A UsageChanged handler failed; the usage poll goes on.")]
    public static partial void UsagePollHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Debug, Message = "Rotation operation {OperationId} of {Key} was not written: another writer moved it on, or the key has another operation under way ({ActiveOperationId}).")]
    public static partial void OperationConflict(ILogger logger, string operationId, KeyReference key, string? activeOperationId);

    [LoggerMessage(EventId = 2050, Level = LogLevel.Critical, Message = "Version {VersionId} of {Key} in {DataSource} does not match its state seal: its stage, kill or revocation state was changed outside IronCage. The key is refused until the row is restored.")]
    public static partial void KeyStateTampered(ILogger logger, KeyReference key, string versionId, string dataSource);

    [LoggerMessage(EventId = 2051, Level = LogLevel.Warning, Message = "Sealed the state of {Count} key version(s) stored in {DataSource} before state seals existed.")]
    public static partial void LegacyVersionsSealed(ILogger logger, string dataSource, int count);
    [LoggerMessage(EventId = 2020, Level = LogLevel.Debug, Message = "Polling {DataSource} for other processes' key changes failed; the next poll tries again.")]
    public static partial void KeyPollFailed(ILogger logger, Exception exception, string dataSource);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Error, Message = "A KeyChanged or ChangesMissed handler failed; the key change feed goes on.")]
    public static partial void KeyChangedHandlerFailed(ILogger logger, Exception exception);
}
