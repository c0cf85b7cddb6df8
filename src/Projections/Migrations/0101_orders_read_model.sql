-- Read model "orders": one row per order, for accountants' order status reports.
-- Every key leads with tenant_id; row-level security lets a session see and write only the rows of the tenant in
-- its ledger.tenant setting, so a query without the setting sees nothing.
--
-- Rows are written by upserts in which each event sets only the columns it knows and the status follows the
-- highest stream version seen. A stream's events can reach a reader out of version order (an append inside a
-- longer transaction can carry an older transaction id than an append that committed before it), and a replay
-- must change nothing: both hold because every statement is idempotent and commutes with the others.
INSERT INTO projections (name, tables, live_generation, template) VALUES ('orders', ARRAY['orders_rm'], 1, $template$
CREATE TABLE orders_rm_{g} (
    tenant_id             text        NOT NULL,
    order_id              uuid        NOT NULL,
    -- Null until the order's created event is applied; the API lists only orders whose creation it has seen.
    status                text,
    -- Stream version of the event that set the status (and updated_at).
    status_version        bigint      NOT NULL DEFAULT 0,
    customer_id           text,
    currency              text,
    total                 numeric,
    paid_amount           numeric,
    created_at            timestamptz,
    payment_requested_at  timestamptz,
    payment_failed_at     timestamptz,
    paid_at               timestamptz,
    fulfilled_at          timestamptz,
    cancelled_at          timestamptz,
    updated_at            timestamptz,
    PRIMARY KEY (tenant_id, order_id)
);
-- Keyset pages in (created_at, order_id) order, overall and per status or customer.
CREATE INDEX ON orders_rm_{g} (tenant_id, created_at, order_id);
CREATE INDEX ON orders_rm_{g} (tenant_id, status, created_at, order_id);
CREATE INDEX ON orders_rm_{g} (tenant_id, customer_id, created_at, order_id);
ALTER TABLE orders_rm_{g} ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders_rm_{g} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON orders_rm_{g}
    USING (tenant_id = current_setting('ledger.tenant', true))
    WITH CHECK (tenant_id = current_setting('ledger.tenant', true));
$template$);

SELECT projection_create_generation('orders', 1);
SELECT projection_point_views('orders', 1);
