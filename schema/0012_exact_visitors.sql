-- Exact visitor counts (issue 16: any answer under 10,000 visitors exact, at most 0.5% off above).
--
-- The rollups get visitors_exact, an AggregateFunction(uniqCombined64(19), UUID) state: a set of the
-- visitors' 64-bit hashes up to 16,384 of them (exact: two of 10,000 IDs share a 64-bit hash with a
-- probability of about 3e-12), then a HyperLogLog of 2^19 registers (about 0.14% standard error, so 0.5%
-- is 3.5 errors). ClickHouse switches uniqCombined64(K) from its hash set to the HyperLogLog past 2^(K-5)
-- values (K - 4 for 32-bit keys; 01017_uniqCombined_memory_usage in ClickHouse's tests); uniqCombined(12)
-- switched past 256 and kept 32-bit hashes, which collide among 10,000 IDs about once in 86 tries.
-- The stats API's raw paths count with the same function, so rollups and raw rows agree.
-- The views fill visitors_exact instead of visitors_sketch; visitors_sketch stays (never removed) with
-- the rows written before this, and is read only where visitors_exact holds nothing (periods the raw
-- retention no longer covers, below).
--
-- Rows written before this get visitors_exact from the raw hits and visits still retained. A state
-- merged with a copy of itself is unchanged (a set union), so a re-run adds nothing twice, and no sum
-- is touched. Run it with the aggregators stopped, like 0008: a batch stored by an older aggregator
-- while a view is swapped could miss visitors_exact (its visitors_sketch still counts it).

ALTER TABLE {database}.rollup_site_hourly ADD COLUMN IF NOT EXISTS visitors_exact AggregateFunction(uniqCombined64(19), UUID) AFTER visitors_sketch;

ALTER TABLE {database}.rollup_sources_daily ADD COLUMN IF NOT EXISTS visitors_exact AggregateFunction(uniqCombined64(19), UUID) AFTER visitors_sketch;

ALTER TABLE {database}.rollup_locations_daily ADD COLUMN IF NOT EXISTS visitors_exact AggregateFunction(uniqCombined64(19), UUID) AFTER visitors_sketch;

ALTER TABLE {database}.rollup_devices_daily ADD COLUMN IF NOT EXISTS visitors_exact AggregateFunction(uniqCombined64(19), UUID) AFTER visitors_sketch;

ALTER TABLE {database}.rollup_link_clicks_daily ADD COLUMN IF NOT EXISTS visitors_exact AggregateFunction(uniqCombined64(19), UUID) AFTER visitors_sketch;

ALTER TABLE {database}.rollup_events_daily ADD COLUMN IF NOT EXISTS visitors_exact AggregateFunction(uniqCombined64(19), UUID) AFTER visitors_sketch;

ALTER TABLE {database}.rollup_paths_daily ADD COLUMN IF NOT EXISTS visitors_exact AggregateFunction(uniqCombined64(19), UUID) AFTER visitors_sketch;

ALTER TABLE {database}.rollup_visit_attributes_daily ADD COLUMN IF NOT EXISTS visitors_exact AggregateFunction(uniqCombined64(19), UUID) AFTER visitors_sketch;

-- The views fill visitors_exact (MODIFY QUERY swaps a view's query in one step).
ALTER TABLE {database}.rollup_site_hourly_hits_mv MODIFY QUERY
SELECT
    site_id,
    toStartOfHour(timestamp) AS hour,
    countIf(NOT is_bot) AS hits,
    countIf(NOT is_bot AND kind = 1) AS pageviews,
    countIf(NOT is_bot AND kind = 2) AS events,
    countIf(NOT is_bot AND kind = 3) AS link_clicks,
    uniqCombined64StateIf(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), hit_id, visitor_id), NOT is_bot) AS visitors_exact,
    countIf(is_bot) AS bot_hits
FROM {database}.hits
GROUP BY site_id, hour;

ALTER TABLE {database}.rollup_sources_daily_mv MODIFY QUERY
SELECT
    site_id,
    toDate(started_at) AS day,
    channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign,
    uniqCombined64StateIf(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), session_id, visitor_id), sign > 0) AS visitors_exact,
    sum(sign) AS visits,
    sum(sign * pageviews) AS pageviews,
    sum(sign * is_bounce) AS bounces,
    sum(sign * duration) AS visit_duration
FROM {database}.sessions
WHERE NOT is_bot
GROUP BY site_id, day, channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign;

ALTER TABLE {database}.rollup_locations_daily_mv MODIFY QUERY
SELECT
    site_id,
    toDate(started_at) AS day,
    country, region, city,
    uniqCombined64StateIf(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), session_id, visitor_id), sign > 0) AS visitors_exact,
    sum(sign) AS visits,
    sum(sign * pageviews) AS pageviews,
    sum(sign * is_bounce) AS bounces,
    sum(sign * duration) AS visit_duration
FROM {database}.sessions
WHERE NOT is_bot
GROUP BY site_id, day, country, region, city;

ALTER TABLE {database}.rollup_devices_daily_mv MODIFY QUERY
SELECT
    site_id,
    toDate(started_at) AS day,
    device_type, browser, browser_version, os, os_version,
    uniqCombined64StateIf(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), session_id, visitor_id), sign > 0) AS visitors_exact,
    sum(sign) AS visits,
    sum(sign * pageviews) AS pageviews,
    sum(sign * is_bounce) AS bounces,
    sum(sign * duration) AS visit_duration
FROM {database}.sessions
WHERE NOT is_bot
GROUP BY site_id, day, device_type, browser, browser_version, os, os_version;

ALTER TABLE {database}.rollup_link_clicks_daily_mv MODIFY QUERY
SELECT
    site_id,
    toDate(timestamp) AS day,
    link_campaign,
    link_target,
    count() AS clicks,
    uniqCombined64State(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), hit_id, visitor_id)) AS visitors_exact
FROM {database}.hits
WHERE kind = 3 AND NOT is_bot
GROUP BY site_id, day, link_campaign, link_target;

ALTER TABLE {database}.rollup_events_daily_mv MODIFY QUERY
SELECT
    site_id,
    toDate(timestamp) AS day,
    event_name,
    count() AS events,
    uniqCombined64State(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), hit_id, visitor_id)) AS visitors_exact
FROM {database}.hits
WHERE kind = 2 AND NOT is_bot
GROUP BY site_id, day, event_name;

ALTER TABLE {database}.rollup_paths_daily_hits_mv MODIFY QUERY
SELECT
    site_id,
    hostname,
    path,
    toDate(timestamp) AS day,
    count() AS pageviews,
    uniqCombined64State(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), hit_id, visitor_id)) AS visitors_exact
FROM {database}.hits
WHERE kind = 1 AND NOT is_bot
GROUP BY site_id, hostname, path, day;

ALTER TABLE {database}.rollup_visit_attributes_daily_mv MODIFY QUERY
SELECT
    site_id,
    attribute,
    value,
    toDate(started_at) AS day,
    uniqCombined64StateIf(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), session_id, visitor_id), sign > 0) AS visitors_exact,
    sum(sign) AS visits,
    sum(sign * pageviews) AS pageviews,
    sum(sign * is_bounce) AS bounces,
    sum(sign * duration) AS visit_duration
FROM {database}.sessions
ARRAY JOIN ['country', 'browser', 'os', 'device_type'] AS attribute, [country, browser, os, device_type] AS value
WHERE NOT is_bot
GROUP BY site_id, attribute, value, day;

-- visitors_exact for the rows written before this, from the raw hits and visits still retained.
INSERT INTO {database}.rollup_site_hourly (site_id, hour, visitors_exact)
SELECT site_id, toStartOfHour(timestamp) AS hour, uniqCombined64State(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), hit_id, visitor_id)) FROM {database}.hits WHERE NOT is_bot GROUP BY site_id, hour;

INSERT INTO {database}.rollup_paths_daily (site_id, hostname, path, day, visitors_exact)
SELECT site_id, hostname, path, toDate(timestamp) AS day, uniqCombined64State(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), hit_id, visitor_id)) FROM {database}.hits WHERE kind = 1 AND NOT is_bot GROUP BY site_id, hostname, path, day;

INSERT INTO {database}.rollup_link_clicks_daily (site_id, day, link_campaign, link_target, visitors_exact)
SELECT site_id, toDate(timestamp) AS day, link_campaign, link_target, uniqCombined64State(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), hit_id, visitor_id)) FROM {database}.hits WHERE kind = 3 AND NOT is_bot GROUP BY site_id, day, link_campaign, link_target;

INSERT INTO {database}.rollup_events_daily (site_id, day, event_name, visitors_exact)
SELECT site_id, toDate(timestamp) AS day, event_name, uniqCombined64State(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), hit_id, visitor_id)) FROM {database}.hits WHERE kind = 2 AND NOT is_bot GROUP BY site_id, day, event_name;

INSERT INTO {database}.rollup_sources_daily (site_id, day, channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign, visitors_exact)
SELECT site_id, toDate(started_at) AS day, channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign, uniqCombined64StateIf(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), session_id, visitor_id), sign > 0) FROM {database}.sessions WHERE NOT is_bot GROUP BY site_id, day, channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign;

INSERT INTO {database}.rollup_locations_daily (site_id, day, country, region, city, visitors_exact)
SELECT site_id, toDate(started_at) AS day, country, region, city, uniqCombined64StateIf(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), session_id, visitor_id), sign > 0) FROM {database}.sessions WHERE NOT is_bot GROUP BY site_id, day, country, region, city;

INSERT INTO {database}.rollup_devices_daily (site_id, day, device_type, browser, browser_version, os, os_version, visitors_exact)
SELECT site_id, toDate(started_at) AS day, device_type, browser, browser_version, os, os_version, uniqCombined64StateIf(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), session_id, visitor_id), sign > 0) FROM {database}.sessions WHERE NOT is_bot GROUP BY site_id, day, device_type, browser, browser_version, os, os_version;

INSERT INTO {database}.rollup_visit_attributes_daily (site_id, attribute, value, day, visitors_exact)
SELECT site_id, attribute, value, toDate(started_at) AS day, uniqCombined64StateIf(19)(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), session_id, visitor_id), sign > 0) FROM {database}.sessions ARRAY JOIN ['country', 'browser', 'os', 'device_type'] AS attribute, [country, browser, os, device_type] AS value WHERE NOT is_bot GROUP BY site_id, attribute, value, day;
