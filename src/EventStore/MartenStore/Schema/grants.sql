-- Re-applied after every migration run; {schema} and {app_role} are substituted (quoted identifiers).
-- The application role appends to Marten's events (INSERT), moves stream versions (UPDATE on mt_streams only), and
-- runs the async daemon (its progress rows); it can never change or remove an event or a chain entry.
GRANT USAGE ON SCHEMA {schema} TO {app_role};
REVOKE ALL ON mt_events, mt_streams, ledger_chain, ledger_chain_heads FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON mt_events, ledger_chain FROM {app_role};
REVOKE DELETE, TRUNCATE ON mt_streams, ledger_chain_heads FROM {app_role};
GRANT SELECT, INSERT ON mt_events, ledger_chain TO {app_role};
GRANT SELECT, INSERT, UPDATE ON mt_streams, ledger_chain_heads TO {app_role};
GRANT SELECT ON ledger_records, ledger_events, schema_migrations TO {app_role};
-- Marten's own bookkeeping (the daemon's progress, floors and high-water tracking, document tables): the application
-- runs the daemon, so it reads and writes them. Every mt_ table but the events and streams.
DO $grants$
DECLARE t text;
BEGIN
    FOR t IN SELECT quote_ident(tablename) FROM pg_tables
              WHERE schemaname = current_schema() AND tablename LIKE 'mt\_%' AND tablename NOT IN ('mt_events', 'mt_streams')
    LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %s', t, '{app_role}');
    END LOOP;
END $grants$;
-- Wolverine's envelope storage (WolverineEnvelopeStorage, created by the owner beside Marten's): its durability agent
-- and leader, running as the application, insert, claim (UPDATE owner_id), move and delete envelopes, register and
-- reap nodes and their agent assignments, and write node records. Row rights only; the tables themselves stay the owner's.
DO $wolverine$
DECLARE t text;
BEGIN
    FOR t IN SELECT quote_ident(tablename) FROM pg_tables
              WHERE schemaname = current_schema() AND tablename LIKE 'wolverine\_%'
    LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %s', t, '{app_role}');
    END LOOP;
END $wolverine$;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app_role};
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {app_role};
