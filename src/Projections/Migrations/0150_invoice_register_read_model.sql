-- Read model "invoice_register": the register of issued invoices (libro registro de facturas emitidas), one row per
-- invoice and per credit note (amounts negated), with base and tax per rate (tax_breakdown), in both currencies.
-- Each event sets only the columns it knows; the stamp status follows the highest stream version seen, and a
-- credit that completes the invoice marks it credited, so the statements commute and a replay changes nothing
-- (see 0101_orders_read_model.sql). Rows whose issuing event was not applied yet have a null kind and are not listed.
INSERT INTO projections (name, tables, live_generation, template) VALUES ('invoice_register', ARRAY['invoice_register'], 1, $template$
CREATE TABLE invoice_register_{g} (
    tenant_id            text    NOT NULL,
    document_id          uuid    NOT NULL,
    kind                 text,
    series               text,
    number               text,
    sequence             bigint,
    issue_date           date,
    period               text,
    customer_id          text,
    customer_tax_id      text,
    currency             text,
    functional_currency  text,
    exchange_rate        numeric,
    base                 numeric,
    tax                  numeric,
    total                numeric,
    functional_base      numeric,
    functional_tax       numeric,
    functional_total     numeric,
    tax_breakdown        jsonb,
    corrected_invoice_id uuid,
    stamp_status         text,
    stamp_version        bigint  NOT NULL DEFAULT 0,
    fully_credited       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, document_id)
);
CREATE INDEX ON invoice_register_{g} (tenant_id, period, series, kind, sequence);
ALTER TABLE invoice_register_{g} ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoice_register_{g} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invoice_register_{g}
    USING (tenant_id = current_setting('ledger.tenant', true))
    WITH CHECK (tenant_id = current_setting('ledger.tenant', true));
$template$);

SELECT projection_create_generation('invoice_register', 1);
SELECT projection_point_views('invoice_register', 1);
