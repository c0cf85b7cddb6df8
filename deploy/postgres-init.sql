-- Runs once, when the postgres container initialises an empty data volume
-- (/docker-entrypoint-initdb.d), as the superuser, in database `ledger`.
--
-- Creates the restricted login role the Ledger hosts connect as (ConnectionStrings__Ledger).
-- It owns nothing: the hosts migrate the schema as the owner (ConnectionStrings__LedgerAdmin) and the
-- migrations grant ledger_app exactly its rights (append-only on the event tables).
-- The password comes from the container's LEDGER_APP_PASSWORD (psql 15+ \getenv).

\set ON_ERROR_STOP on
\getenv app_password LEDGER_APP_PASSWORD
\if :{?app_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'LEDGER_APP_PASSWORD is not set in the postgres container'; END $$;
\endif

SELECT format('CREATE ROLE ledger_app LOGIN PASSWORD %L', :'app_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_app')
\gexec

GRANT CONNECT ON DATABASE ledger TO ledger_app;
