-- Re-applied after every migration run; {schema} and {app_role} are substituted (quoted identifiers).
-- The application role runs the projections (through Marten's daemon) and the read API: it reads and writes the
-- read models through their views and live tables (row-level security confines it to the tenant it sets), records a
-- projection's failure, and reads the rest. Creating, swapping and dropping generations, and recording skips, is the
-- schema owner's (the CLI's admin connection).
GRANT USAGE ON SCHEMA {schema} TO {app_role};
REVOKE ALL ON projections, projection_generations, projection_skips FROM PUBLIC;
GRANT SELECT ON projections, projection_generations, projection_skips TO {app_role};
GRANT UPDATE (status, attempts, failing_event_id, failing_seq, last_error, updated_at) ON projection_generations TO {app_role};
REVOKE ALL ON FUNCTION projection_create_generation(text, integer), projection_grant_generation(text, integer, regrole),
    projection_point_views(text, integer), projection_drop_generation(text, integer) FROM PUBLIC;
DO $grants$
DECLARE
    p record;
    t text;
BEGIN
    FOR p IN SELECT name, tables FROM projections LOOP
        FOREACH t IN ARRAY p.tables LOOP
            EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO %s', t, '{app_role}');
        END LOOP;
    END LOOP;
    FOR p IN SELECT name, generation FROM projection_generations WHERE status <> 'retired' LOOP
        PERFORM projection_grant_generation(p.name, p.generation, '{app_role}');
    END LOOP;
END $grants$;
