namespace IronCage.Storage.PostgreSql;

/// <summary>The PostgreSQL store's defaults and fixed names.</summary>
public static class PostgreSqlConstants
{
    /// <summary>
    /// The schema version this version of IronCage creates and understands. A database with a higher version was
    /// migrated by a newer IronCage and is refused (see <see cref="PostgreSqlSchemaVersionException"/>).
    /// </summary>
    public const int SchemaVersion = 5;

    /// <summary>The table that records which schema versions were applied, and when.</summary>
    public const string SchemaVersionTable = "ironcage_schema_version";

    /// <summary>
    /// The LISTEN/NOTIFY channel on which the stores announce changed managed keys; the payload is the key's reference
    /// (<c>provider/name</c>), never a value. See <see cref="PostgreSqlKeyChangeFeed"/>.
    /// </summary>
    public const string KeyChangeChannel = "ironcage_key_changes";

    /// <summary>
    /// The LISTEN/NOTIFY channel on which <see cref="PostgreSqlUsageStore"/> announces each committed usage flush, once per
    /// key of the batch; the payload is the sender's origin id, a space and the key's reference (<c>provider/name</c>),
    /// never a value. See <see cref="PostgreSqlKeyChangeFeed"/>, which raises <c>UsageChanged</c> for it.
    /// </summary>
    public const string UsageChangeChannel = "ironcage_usage_changes";

    /// <summary>
    /// The key of the transaction-level advisory lock (<c>pg_advisory_xact_lock</c>) that serialises migrations, so
    /// instances starting together apply them once. It is released when the migration transaction ends.
    /// </summary>
    public const long MigrationLockKey = 0x49_72_6F_6E_43_61_67_65; // "IronCage"
}
