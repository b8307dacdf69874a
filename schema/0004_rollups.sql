-- Rollups: AggregatingMergeTree tables fed by materialized views from hits and sessions. They hold no
-- visitor ID: visitors are uniq states (hashes folded into a sketch). Bots are counted apart
-- (rollup_bots_daily, bot_hits) and never in human figures. Session-fed columns are signed sums
-- (the sessions table writes -1/+1 pairs when a visit grows), so they stay right as visits grow.
-- Kept 5 years by default (Retention:RollupDays changes the TTL at start). See schema/README.md.

-- Per site and hour: the site's totals over time.
CREATE TABLE IF NOT EXISTS {database}.rollup_site_hourly
(
    site_id LowCardinality(String),
    hour DateTime('UTC'),
    hits SimpleAggregateFunction(sum, UInt64),
    pageviews SimpleAggregateFunction(sum, UInt64),
    events SimpleAggregateFunction(sum, UInt64),
    link_clicks SimpleAggregateFunction(sum, UInt64),
    visitors AggregateFunction(uniq, UUID),
    visits SimpleAggregateFunction(sum, Int64),
    bounces SimpleAggregateFunction(sum, Int64),
    visit_duration SimpleAggregateFunction(sum, Int64),
    bot_hits SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (site_id, hour)
TTL hour + toIntervalDay(1827)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_site_hourly_hits_mv TO {database}.rollup_site_hourly AS
SELECT
    site_id,
    toStartOfHour(timestamp) AS hour,
    countIf(NOT is_bot) AS hits,
    countIf(NOT is_bot AND kind = 1) AS pageviews,
    countIf(NOT is_bot AND kind = 2) AS events,
    countIf(NOT is_bot AND kind = 3) AS link_clicks,
    uniqStateIf(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), hit_id, visitor_id), NOT is_bot) AS visitors,
    countIf(is_bot) AS bot_hits
FROM {database}.hits
GROUP BY site_id, hour;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_site_hourly_sessions_mv TO {database}.rollup_site_hourly AS
SELECT
    site_id,
    toStartOfHour(started_at) AS hour,
    sum(sign) AS visits,
    sum(sign * is_bounce) AS bounces,
    sum(sign * duration) AS visit_duration
FROM {database}.sessions
WHERE NOT is_bot
GROUP BY site_id, hour;

-- Per site, day and page: pageviews and visitors from hits; entries, exits and bounces from visits.
CREATE TABLE IF NOT EXISTS {database}.rollup_pages_daily
(
    site_id LowCardinality(String),
    day Date,
    hostname LowCardinality(String),
    path String,
    pageviews SimpleAggregateFunction(sum, UInt64),
    visitors AggregateFunction(uniq, UUID),
    entries SimpleAggregateFunction(sum, Int64),
    exits SimpleAggregateFunction(sum, Int64),
    bounces SimpleAggregateFunction(sum, Int64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site_id, day, hostname, path)
TTL day + toIntervalDay(1827)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_pages_daily_hits_mv TO {database}.rollup_pages_daily AS
SELECT
    site_id,
    toDate(timestamp) AS day,
    hostname,
    path,
    count() AS pageviews,
    uniqState(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), hit_id, visitor_id)) AS visitors
FROM {database}.hits
WHERE kind = 1 AND NOT is_bot
GROUP BY site_id, day, hostname, path;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_pages_daily_sessions_mv TO {database}.rollup_pages_daily AS
SELECT
    site_id,
    toDate(started_at) AS day,
    hostname,
    page AS path,
    sum(sign * is_entry) AS entries,
    sum(sign * (1 - is_entry)) AS exits,
    sum(sign * is_entry * is_bounce) AS bounces
FROM {database}.sessions
ARRAY JOIN [entry_page, exit_page] AS page, [1, 0] AS is_entry
WHERE NOT is_bot
GROUP BY site_id, day, hostname, path;

-- Per site and day by source, channel, UTM and newsletter campaign (a visit's source is its first hit's).
CREATE TABLE IF NOT EXISTS {database}.rollup_sources_daily
(
    site_id LowCardinality(String),
    day Date,
    channel LowCardinality(String),
    source LowCardinality(String),
    utm_source String,
    utm_medium String,
    utm_campaign String,
    utm_term String,
    utm_content String,
    link_campaign LowCardinality(String),
    visitors AggregateFunction(uniq, UUID),
    visits SimpleAggregateFunction(sum, Int64),
    pageviews SimpleAggregateFunction(sum, Int64),
    bounces SimpleAggregateFunction(sum, Int64),
    visit_duration SimpleAggregateFunction(sum, Int64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site_id, day, channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign)
TTL day + toIntervalDay(1827)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_sources_daily_mv TO {database}.rollup_sources_daily AS
SELECT
    site_id,
    toDate(started_at) AS day,
    channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign,
    uniqStateIf(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), session_id, visitor_id), sign > 0) AS visitors,
    sum(sign) AS visits,
    sum(sign * pageviews) AS pageviews,
    sum(sign * is_bounce) AS bounces,
    sum(sign * duration) AS visit_duration
FROM {database}.sessions
WHERE NOT is_bot
GROUP BY site_id, day, channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign;

-- Per site and day by country, region and city.
CREATE TABLE IF NOT EXISTS {database}.rollup_locations_daily
(
    site_id LowCardinality(String),
    day Date,
    country LowCardinality(String),
    region LowCardinality(String),
    city LowCardinality(String),
    visitors AggregateFunction(uniq, UUID),
    visits SimpleAggregateFunction(sum, Int64),
    pageviews SimpleAggregateFunction(sum, Int64),
    bounces SimpleAggregateFunction(sum, Int64),
    visit_duration SimpleAggregateFunction(sum, Int64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site_id, day, country, region, city)
TTL day + toIntervalDay(1827)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_locations_daily_mv TO {database}.rollup_locations_daily AS
SELECT
    site_id,
    toDate(started_at) AS day,
    country, region, city,
    uniqStateIf(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), session_id, visitor_id), sign > 0) AS visitors,
    sum(sign) AS visits,
    sum(sign * pageviews) AS pageviews,
    sum(sign * is_bounce) AS bounces,
    sum(sign * duration) AS visit_duration
FROM {database}.sessions
WHERE NOT is_bot
GROUP BY site_id, day, country, region, city;

-- Per site and day by device type, browser and operating system (with versions).
CREATE TABLE IF NOT EXISTS {database}.rollup_devices_daily
(
    site_id LowCardinality(String),
    day Date,
    device_type LowCardinality(String),
    browser LowCardinality(String),
    browser_version LowCardinality(String),
    os LowCardinality(String),
    os_version LowCardinality(String),
    visitors AggregateFunction(uniq, UUID),
    visits SimpleAggregateFunction(sum, Int64),
    pageviews SimpleAggregateFunction(sum, Int64),
    bounces SimpleAggregateFunction(sum, Int64),
    visit_duration SimpleAggregateFunction(sum, Int64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site_id, day, device_type, browser, browser_version, os, os_version)
TTL day + toIntervalDay(1827)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_devices_daily_mv TO {database}.rollup_devices_daily AS
SELECT
    site_id,
    toDate(started_at) AS day,
    device_type, browser, browser_version, os, os_version,
    uniqStateIf(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), session_id, visitor_id), sign > 0) AS visitors,
    sum(sign) AS visits,
    sum(sign * pageviews) AS pageviews,
    sum(sign * is_bounce) AS bounces,
    sum(sign * duration) AS visit_duration
FROM {database}.sessions
WHERE NOT is_bot
GROUP BY site_id, day, device_type, browser, browser_version, os, os_version;

-- Per site and day by signed newsletter link: clicks and the visitors who clicked.
CREATE TABLE IF NOT EXISTS {database}.rollup_link_clicks_daily
(
    site_id LowCardinality(String),
    day Date,
    link_campaign LowCardinality(String),
    link_target String,
    clicks SimpleAggregateFunction(sum, UInt64),
    visitors AggregateFunction(uniq, UUID)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site_id, day, link_campaign, link_target)
TTL day + toIntervalDay(1827)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_link_clicks_daily_mv TO {database}.rollup_link_clicks_daily AS
SELECT
    site_id,
    toDate(timestamp) AS day,
    link_campaign,
    link_target,
    count() AS clicks,
    uniqState(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), hit_id, visitor_id)) AS visitors
FROM {database}.hits
WHERE kind = 3 AND NOT is_bot
GROUP BY site_id, day, link_campaign, link_target;

-- Per site and day by custom event name.
CREATE TABLE IF NOT EXISTS {database}.rollup_events_daily
(
    site_id LowCardinality(String),
    day Date,
    event_name LowCardinality(String),
    events SimpleAggregateFunction(sum, UInt64),
    visitors AggregateFunction(uniq, UUID)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site_id, day, event_name)
TTL day + toIntervalDay(1827)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_events_daily_mv TO {database}.rollup_events_daily AS
SELECT
    site_id,
    toDate(timestamp) AS day,
    event_name,
    count() AS events,
    uniqState(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), hit_id, visitor_id)) AS visitors
FROM {database}.hits
WHERE kind = 2 AND NOT is_bot
GROUP BY site_id, day, event_name;

-- Bots: hits per site, day and crawler (the browser family the collector derived), apart from humans.
CREATE TABLE IF NOT EXISTS {database}.rollup_bots_daily
(
    site_id LowCardinality(String),
    day Date,
    browser LowCardinality(String),
    hits SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site_id, day, browser)
TTL day + toIntervalDay(1827)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_bots_daily_mv TO {database}.rollup_bots_daily AS
SELECT
    site_id,
    toDate(timestamp) AS day,
    browser,
    count() AS hits
FROM {database}.hits
WHERE is_bot
GROUP BY site_id, day, browser;
