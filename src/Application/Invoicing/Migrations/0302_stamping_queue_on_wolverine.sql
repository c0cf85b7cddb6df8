-- Stamping moved from the table queue (fiscal_stamping_queue, filled by a trigger on mt_events, claimed by
-- StampingWorker) to Wolverine: the subscription ledger_stamping:All on Marten's daemon sends a StampInvoice for each
-- fiscal.invoice.issued event to the durable local queue "stamping" (docs/wolverine.md, "The stamping queue").
--
-- The trigger goes first: dropping it waits for the appends in flight (they hold a lock on mt_events until they
-- commit), so every invoice queued by it is in the table when it is read below, and none is queued after.
DROP TRIGGER events_fiscal_stamping ON mt_events;
DROP FUNCTION fiscal_enqueue_for_stamping();

-- What was still queued (awaiting its first stamp, or sealed and awaiting reconciliation) moves by starting the shard
-- just before the earliest such invoice's issued event: the shard sends a StampInvoice for it and for every invoice
-- issued after it. Those already answered cost one read each and are left alone (DocumentStamper finds nothing to do);
-- a sealed one is reconciled. With nothing queued the shard starts at the end of the store: the history is answered.
-- A start of 0 (no events yet, or the store's first event queued) is no row at all: that is where a new shard starts,
-- and Marten's daemon records a shard's first page as a new row only when it started from 0.
INSERT INTO mt_event_progression (name, last_seq_id)
SELECT 'ledger_stamping:All', start
  FROM (SELECT coalesce(
            (SELECT min(e.seq_id) - 1
               FROM fiscal_stamping_queue q
               JOIN mt_events e ON e.tenant_id = q.tenant_id AND e.stream_id = 'invoice-' || q.document_id::text
              WHERE e.type = 'fiscal.invoice.issued'),
            (SELECT max(seq_id) FROM mt_events),
            0) AS start) seed
 WHERE start > 0
ON CONFLICT (name) DO NOTHING;

DROP TABLE fiscal_stamping_queue;
