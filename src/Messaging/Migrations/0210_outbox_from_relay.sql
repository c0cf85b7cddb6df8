-- The event store as outbox moved from Ledger's relay to a subscription on Marten's daemon (the shard
-- ledger_outbox:All, published through Wolverine's durable outbox). Where the relay had got to becomes
-- where the shard starts, so a ledger that ran the relay does not publish its whole history again.
-- A ledger whose relay never ran has no row here, and its shard starts at the beginning, as it should.
-- relay_checkpoints stays, unused, as the record of where the relay stopped.
INSERT INTO mt_event_progression (name, last_seq_id)
SELECT 'ledger_outbox:All', seq FROM relay_checkpoints WHERE relay = 'relay'
ON CONFLICT (name) DO NOTHING;
