-- Invoicing settings become events: an issuer profile set, a tax rule version published, an exchange rate set are
-- each an event in the tenant's chain (so every change is hash-chained with its actor and its audit entry), and
-- these triggers keep the settings tables — what issuing reads — in step, in the same transaction as the append.
-- The tables stay the settings' current state; the events are their history.

CREATE FUNCTION fiscal_apply_settings_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.type = 'fiscal.issuer.profile_set' THEN
        INSERT INTO fiscal_issuers (tenant_id, legal_name, country, tax_id, functional_currency, time_zone, invoice_series,
                                    credit_note_series, default_tax_category, verifactu)
        VALUES (NEW.tenant_id, NEW.data ->> 'legal_name', NEW.data ->> 'country', NEW.data ->> 'tax_id',
                NEW.data ->> 'functional_currency', NEW.data ->> 'time_zone', NEW.data ->> 'invoice_series',
                NEW.data ->> 'credit_note_series', NEW.data ->> 'default_tax_category', (NEW.data ->> 'verifactu')::boolean)
        ON CONFLICT (tenant_id) DO UPDATE SET legal_name = excluded.legal_name, country = excluded.country, tax_id = excluded.tax_id,
            functional_currency = excluded.functional_currency, time_zone = excluded.time_zone, invoice_series = excluded.invoice_series,
            credit_note_series = excluded.credit_note_series, default_tax_category = excluded.default_tax_category,
            verifactu = excluded.verifactu, updated_at = clock_timestamp();
    ELSIF NEW.type = 'fiscal.tax_rules.published' THEN
        INSERT INTO fiscal_tax_rule_versions (tenant_id, version, effective_from, published_by)
        VALUES (NEW.tenant_id, (NEW.data ->> 'version')::integer, (NEW.data ->> 'effective_from')::date, NEW.headers ->> 'actor');
        INSERT INTO fiscal_tax_rules (tenant_id, version, category, rate, exempt)
        SELECT NEW.tenant_id, (NEW.data ->> 'version')::integer, r ->> 'category', (r ->> 'rate')::numeric, (r ->> 'exempt')::boolean
          FROM jsonb_array_elements(NEW.data -> 'rates') AS r;
    ELSIF NEW.type = 'fiscal.exchange_rate.set' THEN
        INSERT INTO fiscal_exchange_rates (tenant_id, currency, functional_currency, valid_on, rate)
        VALUES (NEW.tenant_id, NEW.data ->> 'currency', NEW.data ->> 'functional_currency', (NEW.data ->> 'valid_on')::date,
                (NEW.data ->> 'rate')::numeric)
        ON CONFLICT (tenant_id, currency, functional_currency, valid_on) DO UPDATE SET rate = excluded.rate;
    END IF;
    RETURN NULL;
END $$;

-- Only these three event types (version 1: Marten's alias is the type itself) call the function (the WHEN clause
-- is evaluated without calling it).
CREATE TRIGGER events_fiscal_settings AFTER INSERT ON mt_events
    FOR EACH ROW WHEN (NEW.type IN ('fiscal.issuer.profile_set', 'fiscal.tax_rules.published', 'fiscal.exchange_rate.set'))
    EXECUTE FUNCTION fiscal_apply_settings_event();
