namespace IronCage.Storage.PostgreSql;

/// <summary>
/// Migration 4: <c>TRUNCATE</c> refused on the audit tables, the head row guarded, and the version state seal column
/// (see docs/security.md, "An attacker with write access to the database").
/// </summary>
/// <remarks>
/// Row triggers do not fire on <c>TRUNCATE</c>, so migration 1's trigger let <c>TRUNCATE ironcage_audit</c> empty the
/// log; statement triggers now refuse it on both tables. The head row may only move forward. <c>state_mac</c> holds
/// the MAC over each version's stage, kill and revocation state; rows written before this version have none until
/// the store seals them (on first open with the master key).
/// </remarks>
internal static class PostgreSqlTamperEvidenceMigration
{
    public const string Description = "TRUNCATE refused on the audit log, its head row guarded; the version state seal column";

    public const string Sql = """
        CREATE TRIGGER tr_ironcage_audit_no_truncate BEFORE TRUNCATE ON ironcage_audit
            FOR EACH STATEMENT EXECUTE FUNCTION ironcage_audit_append_only();

        CREATE FUNCTION ironcage_audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                IF NEW.sequence > OLD.sequence AND NEW.id = OLD.id THEN
                    RETURN NEW;
                END IF;
            END IF;
            RAISE EXCEPTION 'The IronCage audit chain head only moves forward: it cannot be deleted or set back.';
        END;
        $$;

        CREATE TRIGGER tr_ironcage_audit_head_forward_only BEFORE UPDATE OR DELETE ON ironcage_audit_head
            FOR EACH ROW EXECUTE FUNCTION ironcage_audit_head_forward_only();

        CREATE TRIGGER tr_ironcage_audit_head_no_truncate BEFORE TRUNCATE ON ironcage_audit_head
            FOR EACH STATEMENT EXECUTE FUNCTION ironcage_audit_append_only();

        ALTER TABLE ironcage_key_versions ADD COLUMN state_mac text;

        -- false until a store with the master key sealed the rows written before this version (once); after that a
        -- version without a seal is refused like one whose seal does not match.
        CREATE TABLE ironcage_state_seal (
            id     integer NOT NULL PRIMARY KEY CHECK (id = 1),
            sealed boolean NOT NULL
        );

        INSERT INTO ironcage_state_seal (id, sealed) VALUES (1, false);
        """;
}
