-- Invoicing: the tables that are not events. Invoices, credit notes, numbering series and VERI*FACTU records
-- are all events in the store; these hold settings (versioned tax rules, issuer profiles, exchange rates) and the
-- stamping work queue. Every key leads with the tenant (sharding by tenant later).

-- One row per published version of a tenant's tax rules. Versions are immutable: a rate change is a new version
-- with a later effective date, so an invoice that recorded version N can always be explained by it.
CREATE TABLE fiscal_tax_rule_versions (
    tenant_id      text        NOT NULL,
    version        integer     NOT NULL CHECK (version > 0),
    effective_from date        NOT NULL,
    published_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    published_by   text        NOT NULL,
    PRIMARY KEY (tenant_id, version)
);

CREATE INDEX fiscal_tax_rule_versions_effective ON fiscal_tax_rule_versions (tenant_id, effective_from DESC, version DESC);

CREATE TABLE fiscal_tax_rules (
    tenant_id text    NOT NULL,
    version   integer NOT NULL,
    category  text    NOT NULL CHECK (category ~ '^[a-z0-9_.-]{1,64}$'),
    rate      numeric NOT NULL CHECK (rate >= 0 AND rate <= 100),
    exempt    boolean NOT NULL,
    PRIMARY KEY (tenant_id, version, category),
    FOREIGN KEY (tenant_id, version) REFERENCES fiscal_tax_rule_versions (tenant_id, version),
    CHECK (NOT exempt OR rate = 0)
);

CREATE FUNCTION refuse_tax_rule_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'published tax rules are immutable: % on % is refused (publish a new version)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'LE403';
END $$;

CREATE TRIGGER fiscal_tax_rule_versions_immutable BEFORE UPDATE OR DELETE ON fiscal_tax_rule_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_tax_rule_change();
CREATE TRIGGER fiscal_tax_rules_immutable BEFORE UPDATE OR DELETE ON fiscal_tax_rules
    FOR EACH ROW EXECUTE FUNCTION refuse_tax_rule_change();

-- Who issues a tenant's invoices and how: functional currency, time zone of the issue date, default series,
-- and whether its records are VERI*FACTU records (Spanish issuers). Settings, not records: they may change,
-- and every invoice copies what it used.
CREATE TABLE fiscal_issuers (
    tenant_id            text        PRIMARY KEY,
    legal_name           text        NOT NULL,
    country              text        NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    tax_id               text,
    functional_currency  text        NOT NULL CHECK (functional_currency ~ '^[A-Z]{3}$'),
    time_zone            text        NOT NULL,
    invoice_series       text        NOT NULL,
    credit_note_series   text        NOT NULL,
    default_tax_category text,
    verifactu            boolean     NOT NULL DEFAULT false,
    updated_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (NOT verifactu OR (tax_id IS NOT NULL AND country = 'ES' AND functional_currency = 'EUR'))
);

-- Exchange rates a tenant uses when a request does not fix one: one unit of currency = rate units of the
-- functional currency, from valid_on until a later row.
CREATE TABLE fiscal_exchange_rates (
    tenant_id           text    NOT NULL,
    currency            text    NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    functional_currency text    NOT NULL CHECK (functional_currency ~ '^[A-Z]{3}$'),
    valid_on            date    NOT NULL,
    rate                numeric NOT NULL CHECK (rate > 0),
    PRIMARY KEY (tenant_id, currency, functional_currency, valid_on)
);

-- Documents waiting for the fiscal authority. A row is added by a trigger on the append of the invoice's
-- fiscal.invoice.issued event, in the same transaction whatever path appended it (a request's write
-- transaction, a consumer's inbox transaction), so no issued invoice is ever forgotten; it is removed once the
-- authority has answered for good. Workers claim due rows with FOR UPDATE SKIP LOCKED and a lease
-- (claimed_until); the invoice stream's expected version, not this table, is what records each stamp once.
-- The deadline for a stamp is issued_at plus the configured stamping deadline.
CREATE TABLE fiscal_stamping_queue (
    tenant_id       text        NOT NULL,
    document_id     uuid        NOT NULL,
    document_kind   text        NOT NULL CHECK (document_kind IN ('invoice')),
    phase           text        NOT NULL CHECK (phase IN ('pending', 'contingency')),
    issued_at       timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    claimed_by      text,
    claimed_until   timestamptz,
    last_error      text,
    PRIMARY KEY (tenant_id, document_id)
);

CREATE INDEX fiscal_stamping_queue_due ON fiscal_stamping_queue (next_attempt_at);

CREATE FUNCTION fiscal_enqueue_for_stamping() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO fiscal_stamping_queue (tenant_id, document_id, document_kind, phase, issued_at, next_attempt_at)
    VALUES (NEW.tenant_id, (NEW.data ->> 'invoice_id')::uuid, 'invoice', 'pending', NEW."timestamp", NEW."timestamp")
    ON CONFLICT (tenant_id, document_id) DO NOTHING;
    RETURN NULL;
END $$;

-- On Marten's events (mt_events: type is Ledger's event type for version 1, see docs/ledger-format.md §5a).
-- The WHEN clause is evaluated without calling the function: other events cost nothing.
CREATE TRIGGER events_fiscal_stamping AFTER INSERT ON mt_events
    FOR EACH ROW WHEN (NEW.type = 'fiscal.invoice.issued')
    EXECUTE FUNCTION fiscal_enqueue_for_stamping();
