-- Sealing without a round trip (docs/privacy.md, "Sealing on the append path"): a process that already holds a
-- subject's key seals under it at once and queues this check into the command's own commit. It takes the subject's
-- advisory lock shared — an erasure takes it exclusively first, so it waits for this commit — and fails the transaction
-- (which the command handler then decides again, reading the key from the table) when the key it holds is no longer
-- the subject's live one: erased or re-wrapped since, or never committed. An advisory lock rather than FOR SHARE: many
-- orders of one customer at once would each lock the row, and PostgreSQL keeps several lockers of a row in a
-- multixact, which costs a write per order.
CREATE FUNCTION subject_key_in_use(p_lock bigint, p_tenant text, p_subject text, p_generation integer, p_wrapped bytea) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(p_lock);
    PERFORM 1 FROM subject_keys
     WHERE tenant_id = p_tenant AND subject_id = p_subject AND generation = p_generation
       AND wrapped_key = p_wrapped AND erased_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the key of data subject %/% (generation %) this process holds is no longer its live key', p_tenant, p_subject, p_generation
            USING ERRCODE = 'LK001';
    END IF;
END $$;

-- One live key per subject holds without it: a key is only ever inserted as the generation after the subject's last
-- (the primary key refuses a second of the same number), and only when the subject has no live key. Dropped to save
-- an index entry on every new customer's first order.
DROP INDEX subject_keys_live;
