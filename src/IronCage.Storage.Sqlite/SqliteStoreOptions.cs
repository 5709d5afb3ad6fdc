namespace IronCage.Storage.Sqlite;

/// <summary>Configures the SQLite store (<see cref="SqliteKeyStore"/>, <see cref="SqliteAuditLog"/>, <see cref="SqliteRotationStore"/>, <see cref="SqliteUsageStore"/>).</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>
    /// Gets or sets the Microsoft.Data.Sqlite connection string of a database file, for example
    /// <c>Data Source=ironcage.db</c>. The file is created if it does not exist.
    /// </summary>
    /// <value>No default: a missing, malformed or in-memory connection string stops start-up.</value>
    /// <remarks>
    /// In-memory databases (<c>:memory:</c>, <c>Mode=Memory</c>) are refused: every operation opens its own pooled
    /// connection, so an in-memory database would vanish between calls. Use the in-memory stores of IronCage.Core and
    /// IronCage.Rotation for tests, or a file in a temporary folder.
    /// </remarks>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets a value indicating whether missing schema migrations are applied when the store starts.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    /// <remarks>
    /// Turn it off where schema changes go through a review of their own: the store then only checks the file's schema
    /// version and refuses to work on a file that is not at <see cref="SqliteConstants.SchemaVersion"/>.
    /// </remarks>
    public bool ApplyMigrations { get; set; } = true;

    /// <summary>
    /// Gets or sets how long an operation waits for another connection (another store instance or process) that
    /// holds the database's write lock, before it fails.
    /// </summary>
    /// <value>The default value is 10 seconds (<see cref="SqliteConstants.DefaultBusyTimeout"/>); between 1 millisecond and 10 minutes.</value>
    public TimeSpan BusyTimeout { get; set; } = SqliteConstants.DefaultBusyTimeout;
}
