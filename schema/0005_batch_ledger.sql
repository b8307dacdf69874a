-- Batches the aggregator has fully stored, by deduplication token (the source range, e.g. Kafka
-- topic/partition/offsets). A batch the source hands again after a restart is recognised here and
-- skipped as a whole, so the session tracker never builds on visits that the engine then drops as
-- duplicates. Rows expire after 7 days (far longer than any replay).
CREATE TABLE IF NOT EXISTS {database}.batch_ledger
(
    token String,
    stored_at DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree
ORDER BY token
TTL stored_at + toIntervalDay(7);
