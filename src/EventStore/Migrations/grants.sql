-- Re-applied after every migration run; {schema} and {app_role} are substituted (quoted identifiers).
-- Checkpoints, the signing-key history (0010) and its revocations (0012): the app reads them and adds to them, never
-- changes them.
-- (The events and the chain are Marten's tables and ledger_chain: see MartenStore/Schema/grants.sql.)
GRANT USAGE ON SCHEMA {schema} TO {app_role};
REVOKE ALL ON checkpoints, signing_keys, signing_key_revocations FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON checkpoints, signing_keys, signing_key_revocations FROM {app_role};
GRANT SELECT, INSERT ON checkpoints, signing_keys, signing_key_revocations, schema_migrations TO {app_role};
-- Subject keys (0013): created as subjects first appear, re-wrapped, erased; never deleted.
REVOKE ALL ON subject_keys FROM PUBLIC;
REVOKE DELETE, TRUNCATE ON subject_keys FROM {app_role};
GRANT SELECT, INSERT, UPDATE ON subject_keys TO {app_role};
