-- Re-applied after every migration run; {schema} and {app_role} are substituted (quoted identifiers).
-- The relay moves its checkpoint; consumers add inbox rows. Nothing here is ever deleted by the app.
GRANT USAGE ON SCHEMA {schema} TO {app_role};
REVOKE ALL ON relay_checkpoints, inbox FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON relay_checkpoints TO {app_role};
GRANT SELECT, INSERT ON inbox TO {app_role};
REVOKE UPDATE, DELETE, TRUNCATE ON inbox FROM {app_role};
