-- Read model "receivables": one row per order whose payment was requested, with what settles it. What a customer
-- owes, and its ageing, is summed at query time "as of" a date from these facts (see ReceivablesReport), so the
-- ageing buckets are always those of the day asked about, never those of the day the row was written.
-- Each event sets its own columns only (first request date, payment, cancellation), so statements are idempotent
-- and commute, as in the orders model.
INSERT INTO projections (name, tables, live_generation, template) VALUES ('receivables', ARRAY['receivables_rm'], 1, $template$
CREATE TABLE receivables_rm_{g} (
    tenant_id     text        NOT NULL,
    order_id      uuid        NOT NULL,
    customer_id   text,
    currency      text,
    amount        numeric,
    -- The first payment request: the claim arises then, and ageing counts from it. A request again after a
    -- failed payment does not make the debt younger.
    requested_at  timestamptz,
    paid_at       timestamptz,
    cancelled_at  timestamptz,
    PRIMARY KEY (tenant_id, order_id)
);
CREATE INDEX ON receivables_rm_{g} (tenant_id, customer_id, currency, requested_at);
-- What is owed now: the default report reads only these rows.
CREATE INDEX ON receivables_rm_{g} (tenant_id, customer_id, currency)
    WHERE requested_at IS NOT NULL AND paid_at IS NULL AND cancelled_at IS NULL;
ALTER TABLE receivables_rm_{g} ENABLE ROW LEVEL SECURITY;
ALTER TABLE receivables_rm_{g} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON receivables_rm_{g}
    USING (tenant_id = current_setting('ledger.tenant', true))
    WITH CHECK (tenant_id = current_setting('ledger.tenant', true));
$template$);

SELECT projection_create_generation('receivables', 1);
SELECT projection_point_views('receivables', 1);
