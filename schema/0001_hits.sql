-- Raw hits: one row per hit, keyed by site, day and the random visitor ID.
-- Only derived dimensions: there is no column for an IP address, a raw user-agent or a personal identifier.
CREATE TABLE IF NOT EXISTS {database}.hits
(
    site_id LowCardinality(String),
    timestamp DateTime64(3, 'UTC'),
    hit_id UUID,
    visitor_id UUID,
    is_new_visitor Bool,
    kind UInt8,
    event_name LowCardinality(String),
    hostname LowCardinality(String),
    path String,
    title String,
    referrer String,
    source LowCardinality(String),
    channel LowCardinality(String),
    utm_source String,
    utm_medium String,
    utm_campaign String,
    utm_term String,
    utm_content String,
    country LowCardinality(String),
    region LowCardinality(String),
    city LowCardinality(String),
    browser LowCardinality(String),
    browser_version LowCardinality(String),
    os LowCardinality(String),
    os_version LowCardinality(String),
    device_type LowCardinality(String),
    screen_width UInt16,
    is_bot Bool,
    link_campaign LowCardinality(String),
    link_target String,
    props Map(String, String)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (site_id, toDate(timestamp), visitor_id, timestamp)
-- Remembers recent inserts so a replayed batch (same insert_deduplication_token) is stored once.
SETTINGS non_replicated_deduplication_window = 10000;
