-- Re-applied after every migration run; {schema} and {app_role} are substituted (quoted identifiers).
-- The application claims keys, adds their answers and deletes expired ones.
GRANT USAGE ON SCHEMA {schema} TO {app_role};
REVOKE ALL ON idempotency_keys FROM PUBLIC;
REVOKE TRUNCATE ON idempotency_keys FROM {app_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO {app_role};
