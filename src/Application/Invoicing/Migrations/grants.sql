-- Re-applied after every migration run; {schema} and {app_role} are substituted (quoted identifiers).
-- Tax rules are published, never changed: the app may add versions but not alter or remove one.
-- Issuer profiles and exchange rates are settings the app maintains. None of these is a record: the records are the
-- events. (The stamping queue is Wolverine's now: its inbox table, granted with Wolverine's.)
GRANT USAGE ON SCHEMA {schema} TO {app_role};
REVOKE ALL ON fiscal_tax_rule_versions, fiscal_tax_rules, fiscal_issuers, fiscal_exchange_rates FROM PUBLIC;
GRANT SELECT, INSERT ON fiscal_tax_rule_versions, fiscal_tax_rules TO {app_role};
REVOKE UPDATE, DELETE, TRUNCATE ON fiscal_tax_rule_versions, fiscal_tax_rules FROM {app_role};
GRANT SELECT, INSERT, UPDATE ON fiscal_issuers, fiscal_exchange_rates TO {app_role};
-- Settings events update their tables through this trigger, inside Marten's append (the appender's rights).
ALTER FUNCTION fiscal_apply_settings_event() SET search_path = {schema}, pg_catalog;
REVOKE ALL ON FUNCTION fiscal_apply_settings_event() FROM PUBLIC;
