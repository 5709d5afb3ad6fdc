namespace IronCage.Storage.PostgreSql;

/// <summary>
/// The database's schema version is not one this version of IronCage can work with: the database was migrated by a
/// newer IronCage (upgrade IronCage), or it lacks migrations that <see cref="PostgreSqlStoreOptions.ApplyMigrations"/>
/// was not allowed to apply.
/// </summary>
public sealed class PostgreSqlSchemaVersionException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database, as host and database name (never the whole connection string).</param>
    /// <param name="databaseVersion">The database's schema version.</param>
    /// <param name="supportedVersion">The schema version this version of IronCage needs.</param>
    /// <param name="message">What went wrong and how to fix it.</param>
    public PostgreSqlSchemaVersionException(string database, int databaseVersion, int supportedVersion, string message)
        : base(message)
    {
        Database = database;
        DatabaseVersion = databaseVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>Gets the database, as host and database name.</summary>
    public string Database { get; }

    /// <summary>Gets the database's schema version (0 when it has no IronCage schema yet).</summary>
    public int DatabaseVersion { get; }

    /// <summary>Gets the schema version this version of IronCage needs (<see cref="PostgreSqlConstants.SchemaVersion"/>).</summary>
    public int SupportedVersion { get; }

    /// <summary>Gets a value indicating whether the database was migrated by a newer version of IronCage.</summary>
    public bool IsNewerThanSupported => DatabaseVersion > SupportedVersion;

    internal static PostgreSqlSchemaVersionException TooNew(string database, int databaseVersion) => new(
        database,
        databaseVersion,
        PostgreSqlConstants.SchemaVersion,
        $"The IronCage database '{database}' has schema version {databaseVersion}, but this version of IronCage.Storage.PostgreSql understands schema versions up to {PostgreSqlConstants.SchemaVersion}. "
        + "The database was migrated by a newer IronCage: upgrade IronCage (the IronCage.Storage.PostgreSql package) to that version or later on every instance. Do not edit the schema version by hand; older code could damage data it does not understand.");

    internal static PostgreSqlSchemaVersionException NotMigrated(string database, int databaseVersion) => new(
        database,
        databaseVersion,
        PostgreSqlConstants.SchemaVersion,
        $"The IronCage database '{database}' has schema version {databaseVersion}, but this version of IronCage.Storage.PostgreSql needs schema version {PostgreSqlConstants.SchemaVersion}, "
        + "and PostgreSqlStoreOptions.ApplyMigrations is false. Set ApplyMigrations to true (the default) so IronCage migrates the database at start, or apply the migrations with your own tooling first.");
}
