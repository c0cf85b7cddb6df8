-- Ledger's part of the projections: each read model's generations, their state, and the operator's skips. The
-- projections themselves run on Marten's async daemon, whose progress (mt_event_progression) is each read model's
-- position: the live one as shard '<name>:All', a generation being built as '<name>:V<generation>:All'.
-- Applied by Migrator inside one transaction with search_path set to the target schema.
--
-- A read model lives in generations: generation n of table t is the table t_gn, and the view t (security_invoker,
-- so row-level security applies to whoever queries it) shows the live generation. The live projection writes
-- through the views; a rebuild fills generation n+1 beside the live one and then points the views at it in one
-- transaction (blue/green), so readers never see an empty or half-built model.

CREATE TABLE projections (
    name             text        PRIMARY KEY,
    -- Base names of the read-model tables; the API reads, and the live projection writes, the views of these names.
    tables           text[]      NOT NULL CHECK (cardinality(tables) > 0),
    -- DDL of one generation, with {g} standing for the generation's suffix (g1, g2, ...). A migration that
    -- changes a read model's shape updates this template; the next rebuild builds the new shape.
    template         text        NOT NULL,
    live_generation  integer     NOT NULL CHECK (live_generation > 0),
    swapped_at       timestamptz
);

CREATE TABLE projection_generations (
    name              text        NOT NULL REFERENCES projections (name),
    generation        integer     NOT NULL CHECK (generation > 0),
    -- running: applied (live, or being built by a rebuild when not the live generation); failed: stopped on
    -- failing_event_id until an operator skips it; retired: replaced by a newer generation.
    status            text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'failed', 'retired')),
    attempts          integer     NOT NULL DEFAULT 0,
    failing_event_id  uuid,
    failing_seq       bigint,
    last_error        text,
    updated_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (name, generation)
);

-- Events an operator told a projection to pass over. Every generation honours them, so a rebuild does not stop
-- again on an event that was already judged; the row is the record of who decided it, when and why.
CREATE TABLE projection_skips (
    name        text        NOT NULL REFERENCES projections (name),
    event_id    uuid        NOT NULL,
    generation  integer     NOT NULL,
    seq         bigint      NOT NULL,
    error       text,
    reason      text        NOT NULL,
    skipped_by  text        NOT NULL,
    skipped_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (name, event_id)
);

-- Generation management, run by the schema owner (migrations, the rebuild CLI): the application role cannot.

CREATE FUNCTION projection_create_generation(p_name text, p_generation integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE replace((SELECT template FROM projections WHERE name = p_name), '{g}', 'g' || p_generation);
    INSERT INTO projection_generations (name, generation) VALUES (p_name, p_generation);
END $$;

CREATE FUNCTION projection_grant_generation(p_name text, p_generation integer, p_role regrole) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY (SELECT tables FROM projections WHERE name = p_name) LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO %s', t || '_g' || p_generation, p_role);
    END LOOP;
END $$;

-- Points the views at a generation and retires the others, in the caller's transaction. CREATE OR REPLACE keeps
-- the views' grants; a new generation may add columns at the end of a table, not drop or reorder them (that needs a
-- migration that recreates the view).
CREATE FUNCTION projection_point_views(p_name text, p_generation integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY (SELECT tables FROM projections WHERE name = p_name) LOOP
        EXECUTE format('CREATE OR REPLACE VIEW %I WITH (security_invoker = true) AS SELECT * FROM %I',
                       t, t || '_g' || p_generation);
    END LOOP;
    UPDATE projections SET live_generation = p_generation, swapped_at = clock_timestamp() WHERE name = p_name;
    UPDATE projection_generations SET status = 'retired', updated_at = clock_timestamp()
     WHERE name = p_name AND generation <> p_generation AND status <> 'retired';
END $$;

CREATE FUNCTION projection_drop_generation(p_name text, p_generation integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    IF p_generation = (SELECT live_generation FROM projections WHERE name = p_name) THEN
        RAISE EXCEPTION 'generation % of projection % is live', p_generation, p_name USING ERRCODE = 'LP403';
    END IF;
    FOREACH t IN ARRAY (SELECT tables FROM projections WHERE name = p_name) LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I', t || '_g' || p_generation);
    END LOOP;
    DELETE FROM projection_generations WHERE name = p_name AND generation = p_generation;
END $$;
