-- The event store: events, stream versions, and each tenant's hash-chain head.
-- Applied by Migrator inside one transaction with search_path set to the target schema.

-- Every event ever appended. Never updated, never deleted (see the triggers below).
CREATE TABLE events (
    seq             bigint GENERATED ALWAYS AS IDENTITY,
    -- The writing transaction's id: readers only read below the oldest transaction still running,
    -- so an event that commits late can never be skipped (docs/ledger-format.md, "Reading in order").
    tx_id           xid8        NOT NULL DEFAULT pg_current_xact_id(),
    tenant_id       text        NOT NULL,
    chain_seq       bigint      NOT NULL,
    stream_id       text        NOT NULL,
    stream_version  bigint      NOT NULL,
    event_id        uuid        NOT NULL,
    event_type      text        NOT NULL,
    type_version    integer     NOT NULL,
    occurred_at     timestamptz NOT NULL,
    data            jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,
    entry_hash      bytea       NOT NULL,
    chain_hash      bytea       NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Every key leads with the tenant so the table can later be distributed by tenant.
    PRIMARY KEY (tenant_id, chain_seq),
    UNIQUE (tenant_id, stream_id, stream_version),
    UNIQUE (tenant_id, event_id),
    CHECK (chain_seq > 0 AND stream_version > 0 AND type_version > 0),
    CHECK (octet_length(entry_hash) = 32 AND octet_length(chain_hash) = 32),
    CHECK (jsonb_typeof(data) = 'object' AND jsonb_typeof(metadata) = 'object')
);

-- The order every reader follows (ReadAll): transaction id, then sequence.
CREATE INDEX events_read_order ON events (tx_id, seq);

-- Current version of each stream; the row is the optimistic-concurrency check.
CREATE TABLE streams (
    tenant_id  text   NOT NULL,
    stream_id  text   NOT NULL,
    version    bigint NOT NULL CHECK (version > 0),
    PRIMARY KEY (tenant_id, stream_id)
);

-- Each tenant's chain head. Locking this row is what serialises one tenant's appends,
-- while different tenants append in parallel.
CREATE TABLE chain_heads (
    tenant_id  text        PRIMARY KEY,
    chain_seq  bigint      NOT NULL CHECK (chain_seq >= 0),
    chain_hash bytea       NOT NULL CHECK (octet_length(chain_hash) = 32),
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE FUNCTION refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'LE403';
END $$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_event_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_event_change();

-- One append = one call = one round trip. The caller computed each event's entry_hash from its
-- canonical record; this function checks expected versions, links the entries into the tenant's
-- chain (chain_hash = sha256(previous chain_hash || entry_hash)) and inserts them.
-- p_expected[i] is the version stream p_streams[i] must be at (0: must not exist).
-- Events are given in append order; their stream versions were assigned by the caller from the
-- expected versions and are enforced by the unique (tenant, stream, version) key.
CREATE FUNCTION append_events(
    p_tenant        text,
    p_streams       text[],
    p_expected      bigint[],
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
    head_seq   bigint;
    head_hash  bytea;
    current_version    bigint;
    n          integer := cardinality(p_event_ids);
    chain      bytea[] := '{}';
    i          integer;
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

    FOR i IN 1 .. cardinality(p_streams) LOOP
        SELECT s.version INTO current_version FROM streams s
         WHERE s.tenant_id = p_tenant AND s.stream_id = p_streams[i];
        current_version := coalesce(current_version, 0);
        IF current_version <> p_expected[i] THEN
            RAISE EXCEPTION 'stream % is at version %', p_streams[i], current_version
                USING ERRCODE = 'LE409', HINT = current_version::text, CONSTRAINT = p_streams[i];
        END IF;
        INSERT INTO streams AS s (tenant_id, stream_id, version)
        SELECT p_tenant, p_streams[i], max(v.version)
          FROM unnest(p_stream_ids, p_versions) AS v(stream_id, version)
         WHERE v.stream_id = p_streams[i]
        ON CONFLICT (tenant_id, stream_id) DO UPDATE SET version = excluded.version;
    END LOOP;

    FOR i IN 1 .. n LOOP
        head_hash := sha256(head_hash || p_entry_hashes[i]);
        chain := array_append(chain, head_hash);
    END LOOP;

    WITH inserted AS (
    INSERT INTO events (tenant_id, chain_seq, stream_id, stream_version, event_id, event_type,
                        type_version, occurred_at, data, metadata, entry_hash, chain_hash)
    SELECT p_tenant, head_seq + e.ord, e.stream_id, e.version, e.event_id, e.event_type,
           e.type_version, e.occurred_at, e.data, e.metadata, e.entry_hash, chain[e.ord]
      FROM unnest(p_event_ids, p_stream_ids, p_versions, p_types, p_type_versions,
                  p_occurred_at, p_data, p_metadata, p_entry_hashes)
           WITH ORDINALITY AS e(event_id, stream_id, version, event_type, type_version,
                                occurred_at, data, metadata, entry_hash, ord)
     ORDER BY e.ord
    RETURNING events.seq)
    SELECT max(inserted.seq) INTO last_seq FROM inserted;

    UPDATE chain_heads SET chain_seq = head_seq + n, chain_hash = head_hash, updated_at = clock_timestamp()
     WHERE tenant_id = p_tenant;

    last_tx_id := (pg_current_xact_id()::text)::bigint;
    last_chain_seq := head_seq + n;
    RETURN NEXT;
END $$;
