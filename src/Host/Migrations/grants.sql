-- Re-applied after every migration run; {schema} and {app_role} are substituted (quoted identifiers).
-- The application reads and writes idempotency keys and deletes expired ones; it never updates a stored answer.
GRANT USAGE ON SCHEMA {schema} TO {app_role};
REVOKE ALL ON idempotency_keys FROM PUBLIC;
REVOKE UPDATE, TRUNCATE ON idempotency_keys FROM {app_role};
GRANT SELECT, INSERT, DELETE ON idempotency_keys TO {app_role};
