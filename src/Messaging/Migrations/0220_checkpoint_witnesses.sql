-- Checkpoint witnesses (docs/ledger-format.md §14): what has been handed to which witness, and each checkpoint's
-- signed note. The checkpoints table is the outbox: a witness's publisher delivers every checkpoint it has no
-- delivery row for, so a checkpoint stored just before a crash, or signed while a witness was down, is delivered later.

-- A checkpoint as a C2SP signed note, made once (ECDSA signatures are randomised: a note made twice would differ, and a
-- witness that keeps one per position must always be handed the same bytes). Append-only, like the checkpoints.
CREATE TABLE checkpoint_notes (
    tenant_id   text        NOT NULL,
    chain_seq   bigint      NOT NULL,
    note        text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- No foreign key to checkpoints: a note is evidence of its own, and must not stand in the way of what the
    -- signer and the verifiers are there to catch (a checkpoint row deleted by the database's owner).
    PRIMARY KEY (tenant_id, chain_seq)
);

CREATE TRIGGER checkpoint_notes_append_only BEFORE UPDATE OR DELETE ON checkpoint_notes
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();

-- One row per checkpoint a witness accepted (witness = its configured name, e.g. "directory:/var/lib/witness").
-- receipt: what the witness answered (an HTTP witness's cosignature lines), if anything.
CREATE TABLE checkpoint_witness_deliveries (
    witness      text        NOT NULL,
    tenant_id    text        NOT NULL,
    chain_seq    bigint      NOT NULL,
    delivered_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    receipt      text,
    PRIMARY KEY (witness, tenant_id, chain_seq)
);

-- How far each witness is known to have everything: every checkpoint recorded at or before recorded_through was
-- delivered, so a round looks only at checkpoints recorded after it (less a margin, see WitnessDeliveries).
CREATE TABLE checkpoint_witness_progress (
    witness          text        PRIMARY KEY,
    recorded_through timestamptz NOT NULL
);

-- The rounds read checkpoints by when they were stored.
CREATE INDEX checkpoints_recorded_at ON checkpoints (recorded_at);
