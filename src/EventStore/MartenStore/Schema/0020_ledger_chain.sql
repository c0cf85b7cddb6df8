-- The per-tenant hash chain over Marten's events (docs/ledger-format.md). Marten owns mt_events and mt_streams and
-- creates them first (MartenLedgerSchema applies Marten's schema, then these migrations); what Marten has no notion
-- of lives here. Applied by Migrator inside one transaction with search_path set to the target schema.

-- One entry per event Marten stored, in its tenant's chain: position, entry hash and link. Written only by the chain
-- sealer (a subscription on Marten's async daemon) after the event committed, in Marten's global order (seq_id).
CREATE TABLE ledger_chain (
    tenant_id   text        NOT NULL,
    chain_seq   bigint      NOT NULL CHECK (chain_seq > 0),
    seq_id      bigint      NOT NULL UNIQUE,             -- mt_events.seq_id: an event enters the chain once
    entry_hash  bytea       NOT NULL CHECK (octet_length(entry_hash) = 32),
    chain_hash  bytea       NOT NULL CHECK (octet_length(chain_hash) = 32),
    sealed_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, chain_seq)
);

-- Each tenant's last entry: the sealer reads it to link the next one, auditors and checkpoints to know the head.
CREATE TABLE ledger_chain_heads (
    tenant_id   text        PRIMARY KEY,
    chain_seq   bigint      NOT NULL CHECK (chain_seq >= 0),
    chain_hash  bytea       NOT NULL CHECK (octet_length(chain_hash) = 32),
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Marten's event as the record each entry hashes (docs/ledger-format.md §2): Ledger's event type and version from
-- Marten's alias (EventShapes.Alias: "name" for v1, "name.vN" after), metadata from Marten's correlation and
-- causation columns and its headers. The sealer hashes these rows; every verifier rebuilds the record from them.
CREATE VIEW ledger_records AS
SELECT e.seq_id                                                         AS seq,
       e.tenant_id::text                                                AS tenant_id,
       e.stream_id::text                                                AS stream_id,
       e.version                                                        AS stream_version,
       e.id                                                             AS event_id,
       CASE WHEN e.type ~ '\.v[0-9]+$' THEN regexp_replace(e.type, '\.v[0-9]+$', '') ELSE e.type END AS event_type,
       coalesce(substring(e.type FROM '\.v([0-9]+)$')::integer, 1)      AS type_version,
       e.timestamp                                                      AS occurred_at,
       e.data                                                           AS data,
       jsonb_strip_nulls(jsonb_build_object(
           'actor', e.headers ->> 'actor',
           'causation_id', e.causation_id,
           'correlation_id', e.correlation_id,
           'origin', e.headers ->> 'origin',
           'trace_id', e.headers ->> 'trace_id'))                       AS metadata
  FROM mt_events e;

-- The ledger: every sealed event with its place in its tenant's chain. Readers that follow the store's order
-- (the relay, exports, auditors) read this, never mt_events: an event is here only once sealed, and
-- sealing follows seq_id, one committed batch at a time, so nothing can appear later behind a position already read.
CREATE VIEW ledger_events AS
SELECT c.seq_id AS seq, c.tenant_id, c.chain_seq, r.stream_id, r.stream_version, r.event_id, r.event_type, r.type_version,
       r.occurred_at, r.data, r.metadata, c.entry_hash, c.chain_hash, c.sealed_at AS recorded_at
  FROM ledger_chain c JOIN ledger_records r ON r.seq = c.seq_id;

-- Append-only, for every role, the owner included: Marten's events and the chain are never changed or removed
-- (Marten's archiving and stream deletion are refused too). Weasel's schema upgrades are DDL, which these leave alone.
-- refuse_append_only_change() is the checkpoints' (0010), which runs before this migration.
CREATE TRIGGER mt_events_append_only BEFORE UPDATE OR DELETE ON mt_events
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER mt_events_no_truncate BEFORE TRUNCATE ON mt_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER ledger_chain_append_only BEFORE UPDATE OR DELETE ON ledger_chain
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER ledger_chain_no_truncate BEFORE TRUNCATE ON ledger_chain
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();
-- A stream row is only ever moved forward (Marten's appends); removing one would let its versions be written again.
CREATE TRIGGER mt_streams_no_delete BEFORE DELETE ON mt_streams
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER mt_streams_no_truncate BEFORE TRUNCATE ON mt_streams
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();
