-- The data subject whose personal data a write's request carried (its hash is kept as the request's fingerprint):
-- erasing the subject deletes the key's row (docs/privacy.md).
ALTER TABLE idempotency_keys ADD COLUMN data_subject text CHECK (length(data_subject) BETWEEN 1 AND 200);
CREATE INDEX idempotency_keys_data_subject ON idempotency_keys (tenant_id, data_subject) WHERE data_subject IS NOT NULL;
