using Npgsql;

namespace IronCage.Storage.PostgreSql;

/// <summary>Configures the PostgreSQL store (<see cref="PostgreSqlKeyStore"/>, <see cref="PostgreSqlAuditLog"/>, <see cref="PostgreSqlRotationStore"/>, <see cref="PostgreSqlUsageStore"/>).</summary>
public sealed class PostgreSqlStoreOptions
{
    /// <summary>
    /// Gets or sets the Npgsql connection string of the database, for example
    /// <c>Host=db;Database=ironcage;Username=ironcage;Password=...</c>. Set this or <see cref="DataSource"/>.
    /// </summary>
    /// <value>No default: with neither this nor <see cref="DataSource"/>, start-up stops.</value>
    /// <remarks>The store builds its own <see cref="NpgsqlDataSource"/> from it, and disposes it.</remarks>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Gets or sets a data source the application built itself (for example with its own logging, SSL or password
    /// provider settings). Set this or <see cref="ConnectionString"/>. The store uses it, and never disposes it.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>Gets or sets a value indicating whether missing schema migrations are applied when the store starts.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    /// <remarks>
    /// Turn it off where schema changes go through a review of their own: the store then only checks the database's
    /// schema version and refuses to work on a database that is not at <see cref="PostgreSqlConstants.SchemaVersion"/>.
    /// </remarks>
    public bool ApplyMigrations { get; set; } = true;
}
