-- append_events with fewer statements while the tenant's chain head is locked (docs/performance.md, scenario 1).
--
-- 0001's version checked each stream with a SELECT and then upserted it with an INSERT … SELECT over all of the
-- append's events: two statements per stream, and a scan of every event per stream (a bulk append of 1,000 events
-- over 100 streams scanned 100,000 array elements). Here the caller also passes each stream's new version, and
-- the check is the write: one UPDATE moves every existing stream from the version its append expects to its new
-- one, one INSERT creates the streams expected not to exist. Under the head lock no other append of this tenant
-- runs (every append takes it first), so a stream that did not move was not at its expected version; only then
-- is it looked up again, to name it and its actual version in the error.
--
-- Same contract as 0001: one call, one transaction's worth of work, all events or none, LE409 with the stream in
-- CONSTRAINT and its actual version in HINT.
DROP FUNCTION append_events(text, text[], bigint[], uuid[], text[], bigint[], text[], integer[], timestamptz[], jsonb[], jsonb[], bytea[]);

CREATE FUNCTION append_events(
    p_tenant        text,
    p_streams       text[],
    p_expected      bigint[],
    p_new_versions  bigint[],
    p_event_ids     uuid[],
    p_stream_ids    text[],
    p_versions      bigint[],
    p_types         text[],
    p_type_versions integer[],
    p_occurred_at   timestamptz[],
    p_data          jsonb[],
    p_metadata      jsonb[],
    p_entry_hashes  bytea[]
) RETURNS TABLE (last_seq bigint, last_tx_id bigint, last_chain_seq bigint)
LANGUAGE plpgsql AS $$
DECLARE
    n          integer := cardinality(p_event_ids);
    head_seq   bigint;
    head_hash  bytea;
    chain      bytea[] := '{}';
    moved      text[] := '{}';
    created    text[] := '{}';
    refused    text;
    actual     bigint;
    i          integer;
BEGIN
    SELECT h.chain_seq, h.chain_hash INTO head_seq, head_hash
      FROM chain_heads h WHERE h.tenant_id = p_tenant FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        INSERT INTO chain_heads (tenant_id, chain_seq, chain_hash)
        VALUES (p_tenant, 0, '\x0000000000000000000000000000000000000000000000000000000000000000')
        ON CONFLICT (tenant_id) DO NOTHING;
        SELECT h.chain_seq, h.chain_hash INTO head_seq, head_hash
          FROM chain_heads h WHERE h.tenant_id = p_tenant FOR NO KEY UPDATE;
    END IF;

    IF EXISTS (SELECT FROM unnest(p_expected) AS x(v) WHERE x.v > 0) THEN
        WITH updated AS (
            UPDATE streams s SET version = v.new_version
              FROM unnest(p_streams, p_expected, p_new_versions) AS v(stream_id, expected, new_version)
             WHERE s.tenant_id = p_tenant AND s.stream_id = v.stream_id AND s.version = v.expected AND v.expected > 0
            RETURNING s.stream_id)
        SELECT coalesce(array_agg(updated.stream_id), '{}') INTO moved FROM updated;
    END IF;
    IF 0 = ANY (p_expected) THEN
        WITH inserted AS (
            INSERT INTO streams (tenant_id, stream_id, version)
            SELECT p_tenant, v.stream_id, v.new_version
              FROM unnest(p_streams, p_expected, p_new_versions) AS v(stream_id, expected, new_version)
             WHERE v.expected = 0
            ON CONFLICT (tenant_id, stream_id) DO NOTHING
            RETURNING streams.stream_id)
        SELECT coalesce(array_agg(inserted.stream_id), '{}') INTO created FROM inserted;
    END IF;
    IF cardinality(moved) + cardinality(created) < cardinality(p_streams) THEN
        SELECT v.stream_id INTO refused
          FROM unnest(p_streams) WITH ORDINALITY AS v(stream_id, ord)
         WHERE v.stream_id <> ALL (moved) AND v.stream_id <> ALL (created)
         ORDER BY v.ord LIMIT 1;
        SELECT s.version INTO actual FROM streams s WHERE s.tenant_id = p_tenant AND s.stream_id = refused;
        actual := coalesce(actual, 0);
        RAISE EXCEPTION 'stream % is at version %', refused, actual
            USING ERRCODE = 'LE409', HINT = actual::text, CONSTRAINT = refused;
    END IF;

    FOR i IN 1 .. n LOOP
        head_hash := sha256(head_hash || p_entry_hashes[i]);
        chain := array_append(chain, head_hash);
    END LOOP;

    -- Sequence numbers are drawn in append order (the ORDER BY), so readers in (tx_id, seq) order see each
    -- stream's events in version order.
    INSERT INTO events (tenant_id, chain_seq, stream_id, stream_version, event_id, event_type,
                        type_version, occurred_at, data, metadata, entry_hash, chain_hash)
    SELECT p_tenant, head_seq + e.ord, e.stream_id, e.version, e.event_id, e.event_type,
           e.type_version, e.occurred_at, e.data, e.metadata, e.entry_hash, chain[e.ord]
      FROM unnest(p_event_ids, p_stream_ids, p_versions, p_types, p_type_versions,
                  p_occurred_at, p_data, p_metadata, p_entry_hashes)
           WITH ORDINALITY AS e(event_id, stream_id, version, event_type, type_version,
                                occurred_at, data, metadata, entry_hash, ord)
     ORDER BY e.ord;

    UPDATE chain_heads SET chain_seq = head_seq + n, chain_hash = head_hash, updated_at = clock_timestamp()
     WHERE tenant_id = p_tenant;

    -- The last value this session drew from a sequence: the events' identity, so the seq of the last event inserted.
    last_seq := lastval();
    last_tx_id := (pg_current_xact_id()::text)::bigint;
    last_chain_seq := head_seq + n;
    RETURN NEXT;
END $$;
