-- Re-applied after every migration run; {schema} and {app_role} are substituted (quoted identifiers).
-- The relay moves its checkpoint. (The consumers' inbox is Wolverine's now: wolverine_incoming_envelopes.)
GRANT USAGE ON SCHEMA {schema} TO {app_role};
REVOKE ALL ON relay_checkpoints FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON relay_checkpoints TO {app_role};
-- Checkpoint witnesses (0220): notes are added once and never changed; deliveries and progress are the publishers' own.
REVOKE ALL ON checkpoint_notes, checkpoint_witness_deliveries, checkpoint_witness_progress FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON checkpoint_notes FROM {app_role};
GRANT SELECT, INSERT ON checkpoint_notes TO {app_role};
GRANT SELECT, INSERT ON checkpoint_witness_deliveries TO {app_role};
GRANT SELECT, INSERT, UPDATE ON checkpoint_witness_progress TO {app_role};
