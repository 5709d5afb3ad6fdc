namespace IronCage.Storage.Sqlite;

/// <summary>
/// The database file's schema version is not one this version of IronCage can work with: the file was written by a
/// newer IronCage (upgrade IronCage), or it lacks migrations that <see cref="SqliteStoreOptions.ApplyMigrations"/> was
/// not allowed to apply.
/// </summary>
public sealed class SqliteSchemaVersionException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="dataSource">The database file.</param>
    /// <param name="databaseVersion">The file's schema version.</param>
    /// <param name="supportedVersion">The schema version this version of IronCage needs.</param>
    /// <param name="message">What went wrong and how to fix it.</param>
    public SqliteSchemaVersionException(string dataSource, int databaseVersion, int supportedVersion, string message)
        : base(message)
    {
        DataSource = dataSource;
        DatabaseVersion = databaseVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>Gets the database file.</summary>
    public string DataSource { get; }

    /// <summary>Gets the file's schema version (0 when it has no IronCage schema yet).</summary>
    public int DatabaseVersion { get; }

    /// <summary>Gets the schema version this version of IronCage needs (<see cref="SqliteConstants.SchemaVersion"/>).</summary>
    public int SupportedVersion { get; }

    /// <summary>Gets a value indicating whether the file was written by a newer version of IronCage.</summary>
    public bool IsNewerThanSupported => DatabaseVersion > SupportedVersion;

    internal static SqliteSchemaVersionException TooNew(string dataSource, int databaseVersion) => new(
        dataSource,
        databaseVersion,
        SqliteConstants.SchemaVersion,
        $"The IronCage database '{dataSource}' has schema version {databaseVersion}, but this version of IronCage.Storage.Sqlite understands schema versions up to {SqliteConstants.SchemaVersion}. "
        + "The file was written by a newer IronCage: upgrade IronCage (the IronCage.Storage.Sqlite package) to that version or later. Do not edit the schema version by hand; older code could damage data it does not understand.");

    internal static SqliteSchemaVersionException NotMigrated(string dataSource, int databaseVersion) => new(
        dataSource,
        databaseVersion,
        SqliteConstants.SchemaVersion,
        $"The IronCage database '{dataSource}' has schema version {databaseVersion}, but this version of IronCage.Storage.Sqlite needs schema version {SqliteConstants.SchemaVersion}, "
        + "and SqliteStoreOptions.ApplyMigrations is false. Set ApplyMigrations to true (the default) so IronCage migrates the file at start, or apply the migrations with your own tooling first.");
}
