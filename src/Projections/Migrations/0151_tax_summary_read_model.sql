-- Read model "tax_summary": per tenant, period (month of issue), functional currency and rate, the base and tax a
-- tax return declares. Each invoice adds its functional amounts per rate, each credit note subtracts its own; a
-- document is added once (tax_summary_documents remembers it), so a replay adds nothing, and the summary equals the
-- sum of the register's rows for any period.
INSERT INTO projections (name, tables, live_generation, template) VALUES ('tax_summary', ARRAY['tax_summary_documents', 'tax_summary'], 1, $template$
CREATE TABLE tax_summary_documents_{g} (
    tenant_id   text NOT NULL,
    document_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, document_id)
);
CREATE TABLE tax_summary_{g} (
    tenant_id           text    NOT NULL,
    period              text    NOT NULL,
    functional_currency text    NOT NULL,
    rate                numeric NOT NULL,
    exempt              boolean NOT NULL,
    base                numeric NOT NULL,
    tax                 numeric NOT NULL,
    documents           integer NOT NULL,
    PRIMARY KEY (tenant_id, period, functional_currency, rate, exempt)
);
ALTER TABLE tax_summary_documents_{g} ENABLE ROW LEVEL SECURITY;
ALTER TABLE tax_summary_documents_{g} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tax_summary_documents_{g}
    USING (tenant_id = current_setting('ledger.tenant', true))
    WITH CHECK (tenant_id = current_setting('ledger.tenant', true));
ALTER TABLE tax_summary_{g} ENABLE ROW LEVEL SECURITY;
ALTER TABLE tax_summary_{g} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tax_summary_{g}
    USING (tenant_id = current_setting('ledger.tenant', true))
    WITH CHECK (tenant_id = current_setting('ledger.tenant', true));
$template$);

SELECT projection_create_generation('tax_summary', 1);
SELECT projection_point_views('tax_summary', 1);
