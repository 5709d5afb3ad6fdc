using IronCage.Usage;

namespace IronCage.Storage.PostgreSql;

/// <summary>One schema migration: applied once, in order, in the transaction that records it in the schema-version table.</summary>
/// <param name="Version">The schema version it brings the database to.</param>
/// <param name="Description">What it changes, for the schema-version table and the log.</param>
/// <param name="Sql">The statements.</param>
internal sealed record PostgreSqlMigration(int Version, string Description, string Sql);

/// <summary>
/// The schema, as versioned migrations. Never edit a migration that has shipped: add the next one, and raise
/// <see cref="PostgreSqlConstants.SchemaVersion"/> with it.
/// </summary>
/// <remarks>
/// Instants are <c>bigint</c> unix ticks (100 ns, UTC), exact for every instant IronCage stores (<c>timestamptz</c>
/// keeps microseconds only), and ISO-8601 text inside JSON columns. References and ids are <c>text</c> compared with
/// <c>COLLATE "C"</c> where ordered, which for IronCage's ASCII-only references is <see cref="StringComparer.Ordinal"/>.
/// Concurrency and fencing tokens come from PostgreSQL sequences, which only grow and are never rolled back, so a
/// token is never handed out twice, not even after the row that had it was deleted.
/// </remarks>
internal static class PostgreSqlMigrations
{
    public static IReadOnlyList<PostgreSqlMigration> All { get; } =
    [
        new(1, "Managed keys and versions, the audit log, rotation operations and leases", """
            CREATE SEQUENCE ironcage_key_token AS bigint;
            CREATE SEQUENCE ironcage_rotation_operation_token AS bigint;
            CREATE SEQUENCE ironcage_rotation_lease_token AS bigint;

            CREATE TABLE ironcage_keys (
                reference   text COLLATE "C" NOT NULL PRIMARY KEY,
                provider    text COLLATE "C" NOT NULL,
                name        text    NOT NULL,
                kind        integer NOT NULL,
                description text,
                labels      text    NOT NULL,
                scope       text    NOT NULL,
                policy      text    NOT NULL,
                limits      text    NOT NULL,
                created_at  bigint  NOT NULL,
                token       bigint  NOT NULL
            );

            CREATE INDEX ix_ironcage_keys_provider ON ironcage_keys (provider, reference);

            CREATE TABLE ironcage_key_versions (
                reference        text COLLATE "C" NOT NULL REFERENCES ironcage_keys (reference) ON DELETE CASCADE,
                ordinal          integer NOT NULL,
                version_id       text    NOT NULL,
                provider_key_id  text,
                stage            integer NOT NULL,
                created_at       bigint  NOT NULL,
                activated_at     bigint,
                expires_at       bigint,
                revoked_at       bigint,
                killed_at        bigint,
                last_used_at     bigint,
                display_hint     text    NOT NULL,
                fingerprint      text    NOT NULL,
                secret_format    integer NOT NULL,
                kek_id           text    NOT NULL,
                wrapped_data_key bytea   NOT NULL,
                nonce            bytea   NOT NULL,
                ciphertext       bytea   NOT NULL,
                metadata         text    NOT NULL,
                PRIMARY KEY (reference, ordinal),
                UNIQUE (reference, version_id)
            );

            -- The database itself keeps a key from having two Current or two Pending versions.
            CREATE UNIQUE INDEX ux_ironcage_key_versions_current ON ironcage_key_versions (reference) WHERE stage = 1;
            CREATE UNIQUE INDEX ux_ironcage_key_versions_pending ON ironcage_key_versions (reference) WHERE stage = 0;
            CREATE INDEX ix_ironcage_key_versions_fingerprint ON ironcage_key_versions (fingerprint);

            CREATE TABLE ironcage_audit (
                sequence      bigint NOT NULL PRIMARY KEY,
                event         text   NOT NULL,
                previous_hash text   NOT NULL,
                hash          text   NOT NULL
            );

            -- The chain's head: one row that every append locks (SELECT ... FOR UPDATE) and moves on in its transaction,
            -- so appends from any number of instances queue on it and the chain never forks.
            CREATE TABLE ironcage_audit_head (
                id       integer NOT NULL PRIMARY KEY CHECK (id = 1),
                sequence bigint  NOT NULL,
                hash     text    NOT NULL
            );

            INSERT INTO ironcage_audit_head (id, sequence, hash) VALUES (1, 0, '');

            -- Append-only: the hash chain detects any change, and this makes an accidental one fail outright.
            CREATE FUNCTION ironcage_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'The IronCage audit log is append-only: records cannot be changed or deleted.';
            END;
            $$;

            CREATE TRIGGER tr_ironcage_audit_append_only BEFORE UPDATE OR DELETE ON ironcage_audit
                FOR EACH ROW EXECUTE FUNCTION ironcage_audit_append_only();

            CREATE TABLE ironcage_rotation_operations (
                operation_id         text COLLATE "C" NOT NULL PRIMARY KEY,
                key_reference        text COLLATE "C" NOT NULL,
                step                 integer NOT NULL,
                finished             boolean NOT NULL,
                requested_at         bigint  NOT NULL,
                updated_at           bigint  NOT NULL,
                token                bigint  NOT NULL,
                body                 text    NOT NULL,
                new_secret_format    integer,
                new_kek_id           text,
                new_wrapped_data_key bytea,
                new_nonce            bytea,
                new_ciphertext       bytea
            );

            -- One unfinished operation per key, enforced by the database for every instance that shares it.
            CREATE UNIQUE INDEX ux_ironcage_rotation_operations_active ON ironcage_rotation_operations (key_reference) WHERE NOT finished;
            CREATE INDEX ix_ironcage_rotation_operations_active_order ON ironcage_rotation_operations (requested_at, token) WHERE NOT finished;
            CREATE INDEX ix_ironcage_rotation_operations_key ON ironcage_rotation_operations (key_reference, requested_at, token);

            CREATE TABLE ironcage_rotation_leases (
                resource   text COLLATE "C" NOT NULL PRIMARY KEY,
                owner      text   NOT NULL,
                expires_at bigint NOT NULL,
                token      bigint NOT NULL
            );
            """),
        new(2, "Usage records, budget windows and reservations", """
            -- One row per UsageRecord: a key's (and version's and model's) calls within one minute, written with binary
            -- COPY. minute is unix ticks; cost is numeric, so sums are exact.
            CREATE TABLE ironcage_usage (
                key_reference text COLLATE "C" NOT NULL,
                minute        bigint   NOT NULL,
                version_id    text,
                model         text COLLATE "C",
                requests      bigint   NOT NULL,
                errors        bigint   NOT NULL,
                input_tokens  bigint   NOT NULL,
                output_tokens bigint   NOT NULL,
                cost          numeric  NOT NULL,
                cost_status   smallint NOT NULL
            );

            CREATE INDEX ix_ironcage_usage_key_minute ON ironcage_usage (key_reference, minute);
            CREATE INDEX ix_ironcage_usage_minute ON ironcage_usage (minute);

            -- What a budget window holds (settled costs plus open reservations): the row every reservation of the window
            -- locks, so reservations from any number of instances are admitted one at a time against the limit.
            CREATE TABLE ironcage_budget_windows (
                budget       text COLLATE "C" NOT NULL,
                window_start bigint  NOT NULL,
                committed    numeric NOT NULL,
                PRIMARY KEY (budget, window_start)
            );

            CREATE TABLE ironcage_budget_reservations (
                id           uuid    NOT NULL PRIMARY KEY,
                budget       text COLLATE "C" NOT NULL,
                window_start bigint  NOT NULL,
                amount       numeric NOT NULL,
                created_at   bigint  NOT NULL,
                settled      boolean NOT NULL
            );
            """),
        new(3, "The scheduler's due query: when each managed key next has scheduled work", """
            -- Unix ticks of ManagedKeyDue.Compute, written with every key; NULL for rows written before this version, which
            -- the due query returns so the scheduler computes and stores the value. Nothing scheduled is the largest instant.
            ALTER TABLE ironcage_keys ADD COLUMN next_due_at bigint;

            CREATE INDEX ix_ironcage_keys_next_due ON ironcage_keys (next_due_at NULLS FIRST, reference);
            """),
        new(4, PostgreSqlTamperEvidenceMigration.Description, PostgreSqlTamperEvidenceMigration.Sql),
        new(5, "Instance heartbeats: the key versions each host instance serves, for adoption-confirmed revocation", """
            -- One row per host instance, replaced by each heartbeat; body is the JSON list of versions it serves, with
            -- in-flight counts. Rows older than a day are dropped as heartbeats are written.
            CREATE TABLE ironcage_instance_heartbeats (
                instance_id text   NOT NULL PRIMARY KEY,
                sent_at     bigint NOT NULL,
                body        text   NOT NULL
            );

            CREATE INDEX ix_ironcage_instance_heartbeats_sent_at ON ironcage_instance_heartbeats (sent_at);
            """),
    ];
}
