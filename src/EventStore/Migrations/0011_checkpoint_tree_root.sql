-- Checkpoint format 2 signs the tenant's Merkle tree root besides its chain hash (docs/ledger-format.md §8, §13).
-- Like the other columns beside the JWS, it only indexes what the JWS says; format-1 checkpoints have none.
ALTER TABLE checkpoints ADD COLUMN tree_root bytea CHECK (tree_root IS NULL OR octet_length(tree_root) = 32);
