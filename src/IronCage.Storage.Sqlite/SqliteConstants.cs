namespace IronCage.Storage.Sqlite;

/// <summary>The SQLite store's defaults and fixed names.</summary>
public static class SqliteConstants
{
    /// <summary>
    /// The schema version this version of IronCage creates and understands. A database file with a higher version was
    /// written by a newer IronCage and is refused (see <see cref="SqliteSchemaVersionException"/>).
    /// </summary>
    public const int SchemaVersion = 5;

    /// <summary>The table that records which schema versions were applied, and when.</summary>
    public const string SchemaVersionTable = "ironcage_schema_version";

    /// <summary>Gets the default time a writer waits for another connection's write lock: 10 seconds.</summary>
    public static TimeSpan DefaultBusyTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets how often a <see cref="SqliteUsageStore"/> with <c>UsageChanged</c> listeners checks the file for usage other
    /// processes appended: 100 milliseconds (one primary-key lookup).
    /// </summary>
    public static TimeSpan UsagePollInterval { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Gets how often a <see cref="SqliteKeyStore"/> with <c>KeyChanged</c> listeners (the key resolver) checks the file
    /// for keys other processes created, changed, killed or deleted: 250 milliseconds (one primary-key lookup; the keys'
    /// tokens are read only when it moved). A kill on one process reaches every other process's resolver within about
    /// this interval.
    /// </summary>
    public static TimeSpan KeyChangePollInterval { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets the longest busy timeout the options accept: 10 minutes.</summary>
    public static TimeSpan MaxBusyTimeout { get; } = TimeSpan.FromMinutes(10);
}
