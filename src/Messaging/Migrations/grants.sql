-- Re-applied after every migration run; {schema} and {app_role} are substituted (quoted identifiers).
-- The relay moves its checkpoint. (The consumers' inbox is Wolverine's now: wolverine_incoming_envelopes.)
GRANT USAGE ON SCHEMA {schema} TO {app_role};
REVOKE ALL ON relay_checkpoints FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON relay_checkpoints TO {app_role};
