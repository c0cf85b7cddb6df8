-- Revoked checkpoint signing keys (docs/ledger-format.md §7): from revoked_at on, nothing the key signs verifies.
-- Append-only like the key history: a revocation is final, and its time is never moved.
CREATE TABLE signing_key_revocations (
    kid         text        PRIMARY KEY REFERENCES signing_keys (kid),
    revoked_at  timestamptz NOT NULL,
    reason      text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TRIGGER signing_key_revocations_append_only BEFORE UPDATE OR DELETE ON signing_key_revocations
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER signing_key_revocations_no_truncate BEFORE TRUNCATE ON signing_key_revocations
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();
