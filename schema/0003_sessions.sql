-- Visits (sessions): one logical row per visit, kept by the aggregator's session tracker (a visit ends
-- after 30 minutes without a hit). When a visit grows, the aggregator writes the previous state again
-- with sign = -1 and the new state with sign = +1 and version + 1; VersionedCollapsingMergeTree folds
-- the pairs away in the background. Queries therefore aggregate with sign (sum(sign) = visits,
-- sum(sign * pageviews) = pageviews, ...) or read with FINAL. See schema/README.md.
CREATE TABLE IF NOT EXISTS {database}.sessions
(
    site_id LowCardinality(String),
    visitor_id UUID,
    session_id UUID,
    sign Int8,
    version UInt32,
    started_at DateTime64(3, 'UTC'),
    ended_at DateTime64(3, 'UTC'),
    duration UInt32,
    hits UInt32,
    pageviews UInt32,
    events UInt32,
    link_clicks UInt32,
    is_bounce Bool,
    is_new_visitor Bool,
    is_bot Bool,
    hostname LowCardinality(String),
    entry_page String,
    exit_page String,
    referrer String,
    source LowCardinality(String),
    channel LowCardinality(String),
    utm_source String,
    utm_medium String,
    utm_campaign String,
    utm_term String,
    utm_content String,
    link_campaign LowCardinality(String),
    country LowCardinality(String),
    region LowCardinality(String),
    city LowCardinality(String),
    browser LowCardinality(String),
    browser_version LowCardinality(String),
    os LowCardinality(String),
    os_version LowCardinality(String),
    device_type LowCardinality(String),
    screen_width UInt16,
    retention_days UInt16 DEFAULT 396
)
ENGINE = VersionedCollapsingMergeTree(sign, version)
PARTITION BY toYYYYMM(started_at)
ORDER BY (site_id, toDate(started_at), visitor_id, session_id)
TTL toDateTime(started_at) + toIntervalDay(retention_days)
SETTINGS non_replicated_deduplication_window = 10000;
