-- A projection for tests only: it logs every event it applies, keyed by event id with no conflict handling, so
-- applying an event twice fails loudly (unique violation) instead of passing unnoticed; and counts events per tenant.
-- An event of type test.poison violates a CHECK (a statement that always fails); an event whose data has "block"
-- waits on that advisory lock key mid-batch, so a test can kill the daemon while a batch is half applied.
INSERT INTO projections (name, tables, live_generation, template) VALUES ('test_event_log', ARRAY['test_event_log', 'test_event_counts'], 1, $template$
CREATE TABLE test_event_log_{g} (
    tenant_id   text    NOT NULL,
    event_id    uuid    NOT NULL,
    seq         bigint  NOT NULL,
    event_type  text    NOT NULL CHECK (event_type <> 'test.poison'),
    PRIMARY KEY (tenant_id, event_id)
);
CREATE TABLE test_event_counts_{g} (
    tenant_id  text    PRIMARY KEY,
    events     bigint  NOT NULL
);
ALTER TABLE test_event_log_{g} ENABLE ROW LEVEL SECURITY;
ALTER TABLE test_event_log_{g} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON test_event_log_{g}
    USING (tenant_id = current_setting('ledger.tenant', true))
    WITH CHECK (tenant_id = current_setting('ledger.tenant', true));
ALTER TABLE test_event_counts_{g} ENABLE ROW LEVEL SECURITY;
ALTER TABLE test_event_counts_{g} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON test_event_counts_{g}
    USING (tenant_id = current_setting('ledger.tenant', true))
    WITH CHECK (tenant_id = current_setting('ledger.tenant', true));
$template$);

SELECT projection_create_generation('test_event_log', 1);
SELECT projection_point_views('test_event_log', 1);
