-- Erasure tombstones: which visitor IDs were erased lately, so that every aggregator (there may be many,
-- and the erase may run in a collector) keeps out hits of an erased visitor that were still on their way:
-- queued in a collector's spool or Kafka, or in a batch being written. A tombstone holds the SHA-256 of
-- the ID, never the ID: it answers "was this ID erased?" to whoever already holds the ID, and nothing
-- to anyone else. Aggregators read the last hour of them; they expire after a day.
CREATE TABLE IF NOT EXISTS {database}.erasures
(
    visitor_hash FixedString(32),
    erased_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY erased_at
TTL toDateTime(erased_at) + toIntervalDay(1);
