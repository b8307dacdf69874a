-- Exactly once on the hit ID. `stored_hit_ids` holds the ID and timestamp of every hit stored in the
-- last 30 days (filled by a view on `hits`, so it is written, and deduplicated, with the hits). The
-- aggregator looks up each batch's hits here (by timestamp, the key: a resent hit keeps the
-- timestamp the collector gave it) and drops those already stored before it tracks visits, so a hit
-- sent twice (a collector killed before it checkpointed what Kafka acknowledged, a producer retry, a
-- replay) is stored once in hits, sessions and every rollup. Rows expire 30 days after they were
-- stored: the window docs/distributed.md explains.
CREATE TABLE IF NOT EXISTS {database}.stored_hit_ids
(
    timestamp DateTime64(3, 'UTC'),
    hit_id UUID,
    stored_at DateTime DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(stored_at)
ORDER BY (timestamp, hit_id)
TTL stored_at + toIntervalDay(30)
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.stored_hit_ids_mv TO {database}.stored_hit_ids AS
SELECT timestamp, hit_id FROM {database}.hits;

-- Hits already in `hits` when this migration runs count as stored too.
INSERT INTO {database}.stored_hit_ids (timestamp, hit_id)
SELECT timestamp, hit_id FROM {database}.hits WHERE timestamp >= now64(3) - toIntervalDay(30);

-- Erasure tombstones live as long as a hit can be held back and still be stored (30 days, as above,
-- docs/storage.md), and the aggregators read all of them, not only the last hour.
ALTER TABLE {database}.erasures MODIFY TTL toDateTime(erased_at) + toIntervalDay(30);
