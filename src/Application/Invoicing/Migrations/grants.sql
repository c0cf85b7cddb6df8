-- Re-applied after every migration run; {schema} and {app_role} are substituted (quoted identifiers).
-- Tax rules are published, never changed: the app may add versions but not alter or remove one.
-- Issuer profiles and exchange rates are settings the app maintains. The stamping queue is work in
-- progress: rows come and go. None of these is a record: the records are the events.
GRANT USAGE ON SCHEMA {schema} TO {app_role};
REVOKE ALL ON fiscal_tax_rule_versions, fiscal_tax_rules, fiscal_issuers, fiscal_exchange_rates, fiscal_stamping_queue FROM PUBLIC;
GRANT SELECT, INSERT ON fiscal_tax_rule_versions, fiscal_tax_rules TO {app_role};
REVOKE UPDATE, DELETE, TRUNCATE ON fiscal_tax_rule_versions, fiscal_tax_rules FROM {app_role};
GRANT SELECT, INSERT, UPDATE ON fiscal_issuers, fiscal_exchange_rates TO {app_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON fiscal_stamping_queue TO {app_role};
-- The stamping trigger runs inside Marten's append (on mt_events, with the appender's rights) and finds its table
-- by a fixed path.
ALTER FUNCTION fiscal_enqueue_for_stamping() SET search_path = {schema}, pg_catalog;
REVOKE ALL ON FUNCTION fiscal_enqueue_for_stamping() FROM PUBLIC;
-- Settings events update their tables through this trigger, inside Marten's append (the appender's rights).
ALTER FUNCTION fiscal_apply_settings_event() SET search_path = {schema}, pg_catalog;
REVOKE ALL ON FUNCTION fiscal_apply_settings_event() FROM PUBLIC;
