-- The Kafka source's batch log: the offset range of each batch, written before the batch is stored, so
-- after a crash the next owner of the partition cuts exactly the same batch again (same range, same
-- deduplication token) and the engine drops the repeat. Only the Kafka transport writes it; rows expire
-- after 30 days (far longer than any replay).
CREATE TABLE IF NOT EXISTS {database}.kafka_batches
(
    topic String,
    partition Int32,
    first_offset Int64,
    last_offset Int64,
    written DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (topic, partition, first_offset)
TTL toDateTime(written) + INTERVAL 30 DAY;
