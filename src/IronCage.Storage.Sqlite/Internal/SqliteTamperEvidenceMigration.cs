namespace IronCage.Storage.Sqlite;

/// <summary>
/// Migration 4: the audit chain's head row and the version state seal (see docs/security.md, "An attacker with
/// write access to the database").
/// </summary>
/// <remarks>
/// The head row is what appends continue from (not the highest stored sequence), so a tail cut leaves a gap the next
/// append cannot close, and verification compares the stored end of the log with it. Triggers keep it from being
/// deleted or moved backwards by accident. <c>state_mac</c> holds the MAC over each version's stage, kill and
/// revocation state; rows written before this version have none until the store seals them (on first open with the
/// master key).
/// </remarks>
internal static class SqliteTamperEvidenceMigration
{
    public const string Description = "The audit chain's head row; the version state seal column";

    public const string Sql = """
        CREATE TABLE ironcage_audit_head (
            id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            sequence INTEGER NOT NULL,
            hash     TEXT    NOT NULL
        );

        INSERT INTO ironcage_audit_head (id, sequence, hash)
        SELECT 1, coalesce(max(sequence), 0), coalesce((SELECT hash FROM ironcage_audit ORDER BY sequence DESC LIMIT 1), '') FROM ironcage_audit;

        CREATE TRIGGER tr_ironcage_audit_head_no_delete BEFORE DELETE ON ironcage_audit_head
        BEGIN
            SELECT RAISE(ABORT, 'The IronCage audit chain head cannot be deleted.');
        END;

        CREATE TRIGGER tr_ironcage_audit_head_forward_only BEFORE UPDATE ON ironcage_audit_head
        WHEN NEW.sequence <= OLD.sequence OR NEW.id <> OLD.id
        BEGIN
            SELECT RAISE(ABORT, 'The IronCage audit chain head only moves forward.');
        END;

        ALTER TABLE ironcage_key_versions ADD COLUMN state_mac TEXT;

        -- 0 until a store with the master key sealed the rows written before this version (once); after that a
        -- version without a seal is refused like one whose seal does not match.
        CREATE TABLE ironcage_state_seal (
            id     INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            sealed INTEGER NOT NULL
        );

        INSERT INTO ironcage_state_seal (id, sealed) VALUES (1, 0);
        """;
}
