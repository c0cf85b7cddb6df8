-- The keys of data subjects (docs/privacy.md): one live key per tenant and subject, wrapped under a master key from
-- configuration. Personal fields in events are sealed under these keys; erasing a subject destroys its key here, which
-- leaves the events, the chain and every export as they were and the fields unreadable.
-- Not append-only: erasure and re-wrapping change rows. But an erased key is never given back, and no row is deleted,
-- so the table also records who was erased and when.
CREATE TABLE subject_keys (
    tenant_id   text        NOT NULL,
    subject_id  text        NOT NULL CHECK (length(subject_id) BETWEEN 1 AND 200),
    generation  integer     NOT NULL CHECK (generation > 0),
    -- The master key's id and the subject key wrapped under it (nonce ‖ ciphertext ‖ tag); null once erased.
    master_kid  text,
    wrapped_key bytea       CHECK (octet_length(wrapped_key) = 60),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    erased_at   timestamptz,
    CHECK ((erased_at IS NULL) = (wrapped_key IS NOT NULL) AND (wrapped_key IS NULL) = (master_kid IS NULL)),
    PRIMARY KEY (tenant_id, subject_id, generation)
);

-- One live key per subject: two first orders of one person racing get one key between them.
CREATE UNIQUE INDEX subject_keys_live ON subject_keys (tenant_id, subject_id) WHERE erased_at IS NULL;

CREATE FUNCTION guard_subject_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION 'subject keys are never deleted: erase one instead' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.erased_at IS NOT NULL THEN
        RAISE EXCEPTION 'subject key %/% #% is erased, and stays erased', OLD.tenant_id, OLD.subject_id, OLD.generation
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.tenant_id, NEW.subject_id, NEW.generation, NEW.created_at) IS DISTINCT FROM (OLD.tenant_id, OLD.subject_id, OLD.generation, OLD.created_at) THEN
        RAISE EXCEPTION 'a subject key is re-wrapped or erased, never moved' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER subject_keys_guard BEFORE UPDATE OR DELETE ON subject_keys
    FOR EACH ROW EXECUTE FUNCTION guard_subject_key_change();
CREATE TRIGGER subject_keys_no_truncate BEFORE TRUNCATE ON subject_keys
    FOR EACH STATEMENT EXECUTE FUNCTION guard_subject_key_change();
