using IronCage.Usage;

namespace IronCage.Storage.Sqlite;

/// <summary>One schema migration: applied once, in order, in the transaction that records it in the schema-version table.</summary>
/// <param name="Version">The schema version it brings the file to.</param>
/// <param name="Description">What it changes, for the schema-version table and the log.</param>
/// <param name="Sql">The statements.</param>
internal sealed record SqliteMigration(int Version, string Description, string Sql);

/// <summary>
/// The schema, as versioned migrations. Never edit a migration that has shipped: add the next one, and raise
/// <see cref="SqliteConstants.SchemaVersion"/> with it.
/// </summary>
/// <remarks>
/// Instants are INTEGER unix ticks (100 ns, UTC) where they are compared or ordered, and ISO-8601 text inside JSON
/// columns. References and ids are TEXT with SQLite's BINARY collation, which for IronCage's ASCII-only references
/// orders exactly as <see cref="StringComparer.Ordinal"/>. Concurrency and fencing tokens come from
/// <c>ironcage_sequences</c>, a counter per purpose that only grows, so a token is never handed out twice, not even
/// after the row that had it was deleted.
/// </remarks>
internal static class SqliteMigrations
{
    public static IReadOnlyList<SqliteMigration> All { get; } =
    [
        new(1, "Managed keys and versions, the audit log, rotation operations and leases", """
            CREATE TABLE ironcage_sequences (
                name  TEXT    NOT NULL PRIMARY KEY,
                value INTEGER NOT NULL
            ) WITHOUT ROWID;

            INSERT INTO ironcage_sequences (name, value) VALUES ('key_token', 0), ('rotation_operation_token', 0), ('rotation_lease_token', 0);

            CREATE TABLE ironcage_keys (
                reference   TEXT    NOT NULL PRIMARY KEY,
                provider    TEXT    NOT NULL,
                name        TEXT    NOT NULL,
                kind        INTEGER NOT NULL,
                description TEXT,
                labels      TEXT    NOT NULL,
                scope       TEXT    NOT NULL,
                policy      TEXT    NOT NULL,
                limits      TEXT    NOT NULL,
                created_at  INTEGER NOT NULL,
                token       INTEGER NOT NULL
            ) WITHOUT ROWID;

            CREATE INDEX ix_ironcage_keys_provider ON ironcage_keys (provider, reference);

            CREATE TABLE ironcage_key_versions (
                reference        TEXT    NOT NULL REFERENCES ironcage_keys (reference) ON DELETE CASCADE,
                ordinal          INTEGER NOT NULL,
                version_id       TEXT    NOT NULL,
                provider_key_id  TEXT,
                stage            INTEGER NOT NULL,
                created_at       INTEGER NOT NULL,
                activated_at     INTEGER,
                expires_at       INTEGER,
                revoked_at       INTEGER,
                killed_at        INTEGER,
                last_used_at     INTEGER,
                display_hint     TEXT    NOT NULL,
                fingerprint      TEXT    NOT NULL,
                secret_format    INTEGER NOT NULL,
                kek_id           TEXT    NOT NULL,
                wrapped_data_key BLOB    NOT NULL,
                nonce            BLOB    NOT NULL,
                ciphertext       BLOB    NOT NULL,
                metadata         TEXT    NOT NULL,
                PRIMARY KEY (reference, ordinal),
                UNIQUE (reference, version_id)
            ) WITHOUT ROWID;

            -- The database itself keeps a key from having two Current or two Pending versions.
            CREATE UNIQUE INDEX ux_ironcage_key_versions_current ON ironcage_key_versions (reference) WHERE stage = 1;
            CREATE UNIQUE INDEX ux_ironcage_key_versions_pending ON ironcage_key_versions (reference) WHERE stage = 0;
            CREATE INDEX ix_ironcage_key_versions_fingerprint ON ironcage_key_versions (fingerprint);

            CREATE TABLE ironcage_audit (
                sequence      INTEGER NOT NULL PRIMARY KEY,
                event         TEXT    NOT NULL,
                previous_hash TEXT    NOT NULL,
                hash          TEXT    NOT NULL
            );

            -- Append-only: the hash chain detects any change, and these make an accidental one fail outright.
            CREATE TRIGGER tr_ironcage_audit_no_update BEFORE UPDATE ON ironcage_audit
            BEGIN
                SELECT RAISE(ABORT, 'The IronCage audit log is append-only: records cannot be changed.');
            END;

            CREATE TRIGGER tr_ironcage_audit_no_delete BEFORE DELETE ON ironcage_audit
            BEGIN
                SELECT RAISE(ABORT, 'The IronCage audit log is append-only: records cannot be deleted.');
            END;

            CREATE TABLE ironcage_rotation_operations (
                operation_id         TEXT    NOT NULL PRIMARY KEY,
                key_reference        TEXT    NOT NULL,
                step                 INTEGER NOT NULL,
                finished             INTEGER NOT NULL,
                requested_at         INTEGER NOT NULL,
                updated_at           INTEGER NOT NULL,
                token                INTEGER NOT NULL,
                body                 TEXT    NOT NULL,
                new_secret_format    INTEGER,
                new_kek_id           TEXT,
                new_wrapped_data_key BLOB,
                new_nonce            BLOB,
                new_ciphertext       BLOB
            ) WITHOUT ROWID;

            -- One unfinished operation per key, enforced by the database for every process that shares the file.
            CREATE UNIQUE INDEX ux_ironcage_rotation_operations_active ON ironcage_rotation_operations (key_reference) WHERE finished = 0;
            CREATE INDEX ix_ironcage_rotation_operations_active_order ON ironcage_rotation_operations (requested_at, token) WHERE finished = 0;
            CREATE INDEX ix_ironcage_rotation_operations_key ON ironcage_rotation_operations (key_reference, requested_at, token);

            CREATE TABLE ironcage_rotation_leases (
                resource   TEXT    NOT NULL PRIMARY KEY,
                owner      TEXT    NOT NULL,
                expires_at INTEGER NOT NULL,
                token      INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
        new(2, "Usage records, budget windows and reservations", """
            -- One row per UsageRecord: a key's (and version's and model's) calls within one minute. minute is unix ticks,
            -- cost is the exact decimal as invariant text (summed by ironcage_decimal_sum, never as a float).
            CREATE TABLE ironcage_usage (
                id            INTEGER NOT NULL PRIMARY KEY,
                key_reference TEXT    NOT NULL,
                minute        INTEGER NOT NULL,
                version_id    TEXT,
                model         TEXT,
                requests      INTEGER NOT NULL,
                errors        INTEGER NOT NULL,
                input_tokens  INTEGER NOT NULL,
                output_tokens INTEGER NOT NULL,
                cost          TEXT    NOT NULL,
                cost_status   INTEGER NOT NULL
            );

            CREATE INDEX ix_ironcage_usage_key_minute ON ironcage_usage (key_reference, minute);
            CREATE INDEX ix_ironcage_usage_minute ON ironcage_usage (minute);

            -- What a budget window holds (settled costs plus open reservations), changed only with its reservations.
            CREATE TABLE ironcage_budget_windows (
                budget       TEXT    NOT NULL,
                window_start INTEGER NOT NULL,
                committed    TEXT    NOT NULL,
                PRIMARY KEY (budget, window_start)
            ) WITHOUT ROWID;

            CREATE TABLE ironcage_budget_reservations (
                id           TEXT    NOT NULL PRIMARY KEY,
                budget       TEXT    NOT NULL,
                window_start INTEGER NOT NULL,
                amount       TEXT    NOT NULL,
                created_at   INTEGER NOT NULL,
                settled      INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
        new(3, "The scheduler's due query: when each managed key next has scheduled work", """
            -- Unix ticks of ManagedKeyDue.Compute, written with every key; NULL for rows written before this version, which
            -- the due query returns so the scheduler computes and stores the value. Nothing scheduled is the largest instant.
            ALTER TABLE ironcage_keys ADD COLUMN next_due_at INTEGER;

            CREATE INDEX ix_ironcage_keys_next_due ON ironcage_keys (next_due_at, reference);
            """),
        new(4, SqliteTamperEvidenceMigration.Description, SqliteTamperEvidenceMigration.Sql),
        new(5, "Instance heartbeats: the key versions each host instance serves, for adoption-confirmed revocation", """
            -- One row per host instance, replaced by each heartbeat; body is the JSON list of versions it serves, with
            -- in-flight counts. Rows older than a day are dropped as heartbeats are written.
            CREATE TABLE ironcage_instance_heartbeats (
                instance_id TEXT    NOT NULL PRIMARY KEY,
                sent_at     INTEGER NOT NULL,
                body        TEXT    NOT NULL
            ) WITHOUT ROWID;

            CREATE INDEX ix_ironcage_instance_heartbeats_sent_at ON ironcage_instance_heartbeats (sent_at);
            """),
    ];
}
