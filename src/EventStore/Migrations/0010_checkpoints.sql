-- Signed checkpoints of each tenant's chain head, and the history of the keys that sign them
-- (docs/ledger-format.md §7-8). Both are append-only: a key's validity ends where the next key's begins,
-- so nothing ever needs updating; private keys are never stored here.

CREATE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'LE403';
END $$;

-- The public half of every checkpoint signing key, in the order they became active.
CREATE TABLE signing_keys (
    kid         text        PRIMARY KEY,              -- RFC 7638 JWK thumbprint of the public key
    alg         text        NOT NULL CHECK (alg = 'ES256'),
    public_jwk  jsonb       NOT NULL CHECK (jsonb_typeof(public_jwk) = 'object'),
    valid_from  timestamptz NOT NULL UNIQUE,          -- the previous key's validity ends here
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- One signed checkpoint per tenant and position. The JWS is the checkpoint; the other columns index it.
CREATE TABLE checkpoints (
    tenant_id   text        NOT NULL,
    chain_seq   bigint      NOT NULL CHECK (chain_seq > 0),
    chain_hash  bytea       NOT NULL CHECK (octet_length(chain_hash) = 32),
    issued_at   timestamptz NOT NULL,
    kid         text        NOT NULL REFERENCES signing_keys (kid),
    jws         text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, chain_seq)
);

CREATE TRIGGER signing_keys_append_only BEFORE UPDATE OR DELETE ON signing_keys
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER signing_keys_no_truncate BEFORE TRUNCATE ON signing_keys
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();
