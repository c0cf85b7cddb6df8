-- Idempotency keys of writes (Host, versions 500-599). Not an event table: a row is a cache of one write's
-- answer, and is deleted once it expires.

CREATE TABLE idempotency_keys (
    tenant_id        text        NOT NULL,
    idempotency_key  text        NOT NULL CHECK (idempotency_key ~ '^[!-~]{1,255}$'),
    -- SHA-256 of the request that used the key (method, path, If-Match, caller, body): a different request
    -- with the same key is refused rather than answered with another request's response.
    request_hash     bytea       NOT NULL CHECK (octet_length(request_hash) = 32),
    -- The answer, added once the endpoint has answered. The row itself is inserted in the transaction of the
    -- command's append; the answer stays null if the process died in between (the command did happen).
    status_code      integer     CHECK (status_code BETWEEN 100 AND 599),
    -- [[name, value], ...] in the order they were sent.
    response_headers jsonb       CHECK (jsonb_typeof(response_headers) = 'array'),
    response_body    bytea,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL CHECK (expires_at > created_at),
    CHECK ((status_code IS NULL) = (response_headers IS NULL) AND (status_code IS NULL) = (response_body IS NULL)),
    -- Keys are scoped per tenant; the key leads with the tenant like every key in Ledger.
    PRIMARY KEY (tenant_id, idempotency_key)
);

-- The purge deletes by expiry.
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
