-- The consumers' inbox moved to Wolverine's durable inbox (wolverine_incoming_envelopes, keyed by the message id,
-- created by WolverineEnvelopeStorage): Ledger's own inbox table is no longer written or read.
-- A message handled before the upgrade and delivered again after it is not recognised by that inbox; the commands it
-- carries are themselves idempotent (a repeated payment confirmation changes nothing, an order's invoice is issued once).
DROP TABLE inbox;
