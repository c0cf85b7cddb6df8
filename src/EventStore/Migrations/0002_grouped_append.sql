-- Several appends of one tenant in one call and one transaction: the store's per-tenant combiner
-- (PostgresEventStoreOptions.GroupConcurrentAppends, docs/performance.md) sends the appends that queued
-- while the tenant's previous write was in flight, so the chain head is locked once for all of them.
--
-- Each append keeps what it has alone in append_events: its own expected-version checks, all of its
-- events or none, and its own outcome. An append whose check fails is skipped (nothing of it written)
-- and reported on its row; the others go on. Appends are taken in the order given, each seeing the
-- stream versions the earlier ones of the call left. The chain links only the appends written, in that
-- order, so it stays gapless. Any other error (a duplicate event id, say) aborts the whole call; the
-- caller then writes each append alone, to give each its own error.
--
-- Appends are flattened as in append_events: p_stream_counts[a] and p_event_counts[a] say how many of
-- the stream entries (p_streams, p_expected, p_new_versions) and of the events belong to append a.
-- p_new_versions[i] is the version stream p_streams[i] has once its append is written (expected + its
-- events there), as the caller numbered the events; the unique (tenant, stream, version) key holds it to that.
-- One row per append, in order: where its last event landed, or the stream whose version did not hold.
-- A constant number of statements whatever the number of appends: the per-append work is array work.
CREATE FUNCTION append_events_grouped(
    p_tenant        text,
    p_stream_counts integer[],
    p_event_counts  integer[],
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
) RETURNS TABLE (append_no integer, last_seq bigint, last_tx_id bigint, last_chain_seq bigint,
                 conflict_stream text, actual_version bigint)
LANGUAGE plpgsql AS $$
DECLARE
    appends        integer := cardinality(p_stream_counts);
    entries        integer := cardinality(p_streams);
    head_seq       bigint;
    head_hash      bytea;
    start_seq      bigint;
    s_first        integer := 1;
    e_first        integer := 1;
    a              integer;
    i              integer;
    written        boolean;
    -- Per stream entry: the version in the table before this call, and the previous entry of the same
    -- stream in this call (NULL if none); then the version its append found, and whether it was written.
    table_version  bigint[];
    prev_entry     integer[];
    found_version  bigint[] := array_fill(NULL::bigint, ARRAY[entries]);
    entry_written  boolean[] := array_fill(false, ARRAY[entries]);
    -- Per event: its place in the chain, or NULL when its append was skipped.
    ev_chain_seq   bigint[] := array_fill(NULL::bigint, ARRAY[cardinality(p_event_ids)]);
    ev_chain_hash  bytea[]  := array_fill(NULL::bytea, ARRAY[cardinality(p_event_ids)]);
    -- Per append: its last chain position, or the stream and version that refused it.
    out_chain_seq  bigint[] := array_fill(NULL::bigint, ARRAY[appends]);
    out_stream     text[]   := array_fill(NULL::text, ARRAY[appends]);
    out_actual     bigint[] := array_fill(NULL::bigint, ARRAY[appends]);
    seqs           bigint[];
    tx             bigint   := (pg_current_xact_id()::text)::bigint;
BEGIN
    SELECT h.chain_seq, h.chain_hash INTO head_seq, head_hash
      FROM chain_heads h WHERE h.tenant_id = p_tenant FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO chain_heads (tenant_id, chain_seq, chain_hash)
        VALUES (p_tenant, 0, '\x0000000000000000000000000000000000000000000000000000000000000000')
        ON CONFLICT (tenant_id) DO NOTHING;
        SELECT h.chain_seq, h.chain_hash INTO head_seq, head_hash
          FROM chain_heads h WHERE h.tenant_id = p_tenant FOR UPDATE;
    END IF;
    start_seq := head_seq;

    -- Every stream's version, read once, under the head lock (every append of the tenant takes it first).
    SELECT array_agg(coalesce(s.version, 0) ORDER BY u.ord), array_agg(u.prev::integer ORDER BY u.ord)
      INTO table_version, prev_entry
      FROM (SELECT x.stream_id, x.ord, lag(x.ord) OVER (PARTITION BY x.stream_id ORDER BY x.ord) AS prev
              FROM unnest(p_streams) WITH ORDINALITY AS x(stream_id, ord)) u
      LEFT JOIN streams s ON s.tenant_id = p_tenant AND s.stream_id = u.stream_id;

    FOR a IN 1 .. appends LOOP
        -- Every check of the append before any write of it: a refused append leaves nothing behind.
        written := true;
        FOR i IN s_first .. s_first + p_stream_counts[a] - 1 LOOP
            found_version[i] := CASE
                WHEN prev_entry[i] IS NULL THEN table_version[i]
                WHEN entry_written[prev_entry[i]] THEN p_new_versions[prev_entry[i]]
                ELSE found_version[prev_entry[i]] END;
            IF written AND found_version[i] <> p_expected[i] THEN
                written := false;
                out_stream[a] := p_streams[i];
                out_actual[a] := found_version[i];
            END IF;
        END LOOP;

        IF written THEN
            FOR i IN s_first .. s_first + p_stream_counts[a] - 1 LOOP
                entry_written[i] := true;
            END LOOP;
            FOR i IN e_first .. e_first + p_event_counts[a] - 1 LOOP
                head_seq := head_seq + 1;
                head_hash := sha256(head_hash || p_entry_hashes[i]);
                ev_chain_seq[i] := head_seq;
                ev_chain_hash[i] := head_hash;
            END LOOP;
            out_chain_seq[a] := head_seq;
        END IF;
        s_first := s_first + p_stream_counts[a];
        e_first := e_first + p_event_counts[a];
    END LOOP;

    IF head_seq > start_seq THEN
        WITH inserted AS (
        INSERT INTO events (tenant_id, chain_seq, stream_id, stream_version, event_id, event_type,
                            type_version, occurred_at, data, metadata, entry_hash, chain_hash)
        SELECT p_tenant, ev_chain_seq[e.ord], e.stream_id, e.version, e.event_id, e.event_type,
               e.type_version, e.occurred_at, e.data, e.metadata, e.entry_hash, ev_chain_hash[e.ord]
          FROM unnest(p_event_ids, p_stream_ids, p_versions, p_types, p_type_versions,
                      p_occurred_at, p_data, p_metadata, p_entry_hashes)
               WITH ORDINALITY AS e(event_id, stream_id, version, event_type, type_version,
                                    occurred_at, data, metadata, entry_hash, ord)
         WHERE ev_chain_seq[e.ord] IS NOT NULL
         ORDER BY e.ord
        RETURNING events.chain_seq, events.seq)
        SELECT array_agg(inserted.seq ORDER BY inserted.chain_seq) INTO seqs FROM inserted;

        INSERT INTO streams AS s (tenant_id, stream_id, version)
        SELECT p_tenant, v.stream_id, max(v.new_version)
          FROM unnest(p_streams, p_new_versions, entry_written) AS v(stream_id, new_version, was_written)
         WHERE v.was_written
         GROUP BY v.stream_id
        ON CONFLICT (tenant_id, stream_id) DO UPDATE SET version = excluded.version;

        UPDATE chain_heads SET chain_seq = head_seq, chain_hash = head_hash, updated_at = clock_timestamp()
         WHERE tenant_id = p_tenant;
    END IF;

    -- The written events hold chain positions start_seq + 1 … head_seq, so seqs[k] is position start_seq + k.
    RETURN QUERY
    SELECT o.ord::integer, seqs[o.chain_seq - start_seq], tx, o.chain_seq, o.stream, o.actual
      FROM unnest(out_chain_seq, out_stream, out_actual) WITH ORDINALITY AS o(chain_seq, stream, actual, ord)
     ORDER BY o.ord;
END $$;
