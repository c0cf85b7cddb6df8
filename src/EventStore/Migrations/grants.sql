-- Re-applied after every migration run; {schema} and {app_role} are substituted (quoted identifiers).
-- The application role reads events but can only add them through append_events, which runs with
-- the owner's rights: it can never insert outside the chain, nor update, delete or truncate.
GRANT USAGE ON SCHEMA {schema} TO {app_role};
REVOKE ALL ON events, streams, chain_heads FROM PUBLIC;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON events, streams, chain_heads FROM {app_role};
GRANT SELECT ON events, streams, chain_heads, schema_migrations TO {app_role};
ALTER FUNCTION append_events(text, text[], bigint[], bigint[], uuid[], text[], bigint[], text[], integer[], timestamptz[], jsonb[], jsonb[], bytea[])
    SECURITY DEFINER SET search_path = {schema}, pg_catalog;
REVOKE ALL ON FUNCTION append_events(text, text[], bigint[], bigint[], uuid[], text[], bigint[], text[], integer[], timestamptz[], jsonb[], jsonb[], bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION append_events(text, text[], bigint[], bigint[], uuid[], text[], bigint[], text[], integer[], timestamptz[], jsonb[], jsonb[], bytea[]) TO {app_role};
-- The grouped variant (0002) runs with the owner's rights too, and for the same reason.
ALTER FUNCTION append_events_grouped(text, integer[], integer[], text[], bigint[], bigint[], uuid[], text[], bigint[], text[], integer[], timestamptz[], jsonb[], jsonb[], bytea[])
    SECURITY DEFINER SET search_path = {schema}, pg_catalog;
REVOKE ALL ON FUNCTION append_events_grouped(text, integer[], integer[], text[], bigint[], bigint[], uuid[], text[], bigint[], text[], integer[], timestamptz[], jsonb[], jsonb[], bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION append_events_grouped(text, integer[], integer[], text[], bigint[], bigint[], uuid[], text[], bigint[], text[], integer[], timestamptz[], jsonb[], jsonb[], bytea[]) TO {app_role};
-- Checkpoints and the signing-key history (0010): the app reads them and adds to them, never changes them.
REVOKE ALL ON checkpoints, signing_keys FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON checkpoints, signing_keys FROM {app_role};
GRANT SELECT, INSERT ON checkpoints, signing_keys TO {app_role};
