-- Read model "sales_journal": per tenant, UTC day and currency, how many orders were paid and for how much.
-- A paid event carries the amount and the day but not the currency, which only the created event has; the
-- per-order table remembers both halves and which arrived, and the day's totals are added to exactly once, when
-- the second half arrives (in whichever order they come). A replay of either event changes nothing.
INSERT INTO projections (name, tables, live_generation, template) VALUES ('sales_journal', ARRAY['sales_journal_orders', 'sales_journal_days'], 1, $template$
CREATE TABLE sales_journal_orders_{g} (
    tenant_id  text    NOT NULL,
    order_id   uuid    NOT NULL,
    currency   text,
    paid_on    date,
    amount     numeric,
    PRIMARY KEY (tenant_id, order_id)
);
CREATE TABLE sales_journal_days_{g} (
    tenant_id    text     NOT NULL,
    day          date     NOT NULL,
    currency     text     NOT NULL,
    orders_paid  integer  NOT NULL,
    amount       numeric  NOT NULL,
    PRIMARY KEY (tenant_id, day, currency)
);
ALTER TABLE sales_journal_orders_{g} ENABLE ROW LEVEL SECURITY;
ALTER TABLE sales_journal_orders_{g} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sales_journal_orders_{g}
    USING (tenant_id = current_setting('ledger.tenant', true))
    WITH CHECK (tenant_id = current_setting('ledger.tenant', true));
ALTER TABLE sales_journal_days_{g} ENABLE ROW LEVEL SECURITY;
ALTER TABLE sales_journal_days_{g} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sales_journal_days_{g}
    USING (tenant_id = current_setting('ledger.tenant', true))
    WITH CHECK (tenant_id = current_setting('ledger.tenant', true));
$template$);

SELECT projection_create_generation('sales_journal', 1);
SELECT projection_point_views('sales_journal', 1);
