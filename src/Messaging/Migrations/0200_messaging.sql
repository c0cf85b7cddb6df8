-- Messaging: where the outbox relay stands, and which inbound messages each consumer has handled.
-- Applied by Migrator inside one transaction with search_path set to the target schema.

-- The relay's position in the store-wide read order (docs/ledger-format.md, "Reading in order"):
-- every sealed event at or before seq (Marten's seq_id) has been published and confirmed by the broker.
-- One row per relay; "relay" is the one that feeds the integration exchange.
CREATE TABLE relay_checkpoints (
    relay       text        PRIMARY KEY,
    seq         bigint      NOT NULL DEFAULT 0 CHECK (seq >= 0),
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The inbox: one row per message a consumer applied, written in the same transaction as the
-- message's effects, so a redelivered or replayed message finds its row and changes nothing.
-- The key leads with the tenant (see DESIGN.md, sharding by tenant).
CREATE TABLE inbox (
    tenant_id    text        NOT NULL,
    consumer     text        NOT NULL,
    message_id   text        NOT NULL,
    message_type text        NOT NULL,
    handled_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, consumer, message_id)
);
