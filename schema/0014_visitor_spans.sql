-- Fast exact visitors (issue 16's speed regression) and honest visitors (issue 19).
--
-- 1. rollup_visitor_spans: the dashboard's visitor figures from few states. A uniqCombined64(19) state
--    is exact while it holds up to 16,384 hashes and a HyperLogLog of 2^19 registers above; reading or
--    merging one such HyperLogLog walks all its registers (about 1 ms each here), so a 30-day answer
--    that merged a state per day and per value walked them 60-200 times. This table keeps the same
--    states for aligned spans of 1, 4 and 16 days (a span starts on a multiple of its length in days
--    since 1970-01-01), so any period of whole UTC days is the union of at most about a dozen spans
--    (30 days: 7 to 13) instead of 30 days. Same function, same exactness: a union of spans is the
--    union of the same hashes. `day` is the span's first day; `span_days` its length.
--    One row per attribute value: hit-fed 'hits' (all human hits, the site's total by hit time) and
--    'page' (pageviews by path); visit-fed 'visits' (the total by visit start) and the dashboard's
--    single-value panels 'source', 'utm_campaign', 'country', 'browser', 'os', 'device_type'.
-- 2. Honest visitors: visitors are cookie visitors only. A hit without a visitor ID (DNT, GPC, opt-out,
--    link clicks) counts as a pageview and a visit but never as a visitor (before, each counted as a
--    visitor of its own). `anonymous_pageviews` keeps what an estimate needs (docs/analysts.md).
--    Every rollup view now adds only non-zero visitor IDs to visitors_exact, and the states of the rows
--    the raw retention still covers are rebuilt that way (emptied, then refilled from the raw rows).
--    Rows older than the raw rows keep their states, which counted each anonymous hit as a visitor.
--
-- Rows written before this: sums are copied from the daily rollups (a deduplication token per copy,
-- so a re-run copies nothing twice), states rebuilt from the raw rows still retained (a state merged
-- with a copy of itself is unchanged). Run it with the aggregators stopped, like 0008 and 0012.

CREATE TABLE IF NOT EXISTS {database}.rollup_visitor_spans
(
    site_id LowCardinality(String),
    attribute LowCardinality(String),
    span_days UInt8,
    day Date,
    value String,
    visitors_exact AggregateFunction(uniqCombined64(19), UUID),
    visits SimpleAggregateFunction(sum, Int64),
    pageviews SimpleAggregateFunction(sum, Int64),
    anonymous_pageviews SimpleAggregateFunction(sum, Int64),
    bounces SimpleAggregateFunction(sum, Int64),
    visit_duration SimpleAggregateFunction(sum, Int64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site_id, attribute, span_days, day, value)
TTL day + toIntervalDay(1827)
SETTINGS non_replicated_deduplication_window = 10000, index_granularity = 128;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_visitor_spans_hits_mv TO {database}.rollup_visitor_spans AS
SELECT
    site_id,
    attribute,
    span_days,
    toDate(timestamp) - (toUInt32(toDate(timestamp)) % span_days) AS day,
    value,
    uniqCombined64StateIf(19)(visitor_id, visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) AS visitors_exact,
    countIf(kind = 1) AS pageviews,
    countIf(kind = 1 AND visitor_id = toUUID('00000000-0000-0000-0000-000000000000')) AS anonymous_pageviews
FROM {database}.hits
ARRAY JOIN ['hits', 'page'] AS attribute, ['', path] AS value
ARRAY JOIN [1, 4, 16] AS span_days
WHERE NOT is_bot AND (attribute = 'hits' OR kind = 1)
GROUP BY site_id, attribute, span_days, day, value;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_visitor_spans_sessions_mv TO {database}.rollup_visitor_spans AS
SELECT
    site_id,
    attribute,
    span_days,
    toDate(started_at) - (toUInt32(toDate(started_at)) % span_days) AS day,
    value,
    uniqCombined64StateIf(19)(visitor_id, sign > 0 AND visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) AS visitors_exact,
    sum(sign) AS visits,
    sum(sign * pageviews) AS pageviews,
    sum(sign * s.pageviews * (visitor_id = toUUID('00000000-0000-0000-0000-000000000000'))) AS anonymous_pageviews,
    sum(sign * is_bounce) AS bounces,
    sum(sign * duration) AS visit_duration
FROM {database}.sessions AS s
ARRAY JOIN ['visits', 'source', 'utm_campaign', 'country', 'browser', 'os', 'device_type'] AS attribute,
           ['', toString(source), utm_campaign, toString(country), toString(browser), toString(os), toString(device_type)] AS value
ARRAY JOIN [1, 4, 16] AS span_days
WHERE NOT is_bot
GROUP BY site_id, attribute, span_days, day, value;

-- Sums of the days before this, copied from the daily rollups (they hold every day kept).
INSERT INTO {database}.rollup_visitor_spans (site_id, attribute, span_days, day, value, pageviews)
SETTINGS insert_deduplication_token = '0014_rollup_visitor_spans_hits', max_threads = 1
SELECT site_id, 'hits', span_days, d - (toUInt32(d) % span_days) AS start, '', sum(pageviews)
FROM (SELECT site_id, toDate(hour) AS d, pageviews FROM {database}.rollup_site_hourly)
ARRAY JOIN [1, 4, 16] AS span_days
GROUP BY site_id, span_days, start
ORDER BY site_id, span_days, start;

INSERT INTO {database}.rollup_visitor_spans (site_id, attribute, span_days, day, value, pageviews)
SETTINGS insert_deduplication_token = '0014_rollup_visitor_spans_page', max_threads = 1
SELECT site_id, 'page', span_days, d - (toUInt32(d) % span_days) AS start, path, sum(pageviews)
FROM (SELECT site_id, day AS d, path, pageviews FROM {database}.rollup_paths_daily)
ARRAY JOIN [1, 4, 16] AS span_days
GROUP BY site_id, span_days, start, path
ORDER BY site_id, span_days, start, path;

INSERT INTO {database}.rollup_visitor_spans (site_id, attribute, span_days, day, value, visits, pageviews, bounces, visit_duration)
SETTINGS insert_deduplication_token = '0014_rollup_visitor_spans_sources', max_threads = 1
SELECT site_id, attribute, span_days, d - (toUInt32(d) % span_days) AS start, value, sum(visits), sum(pageviews), sum(bounces), sum(visit_duration)
FROM (SELECT site_id, day AS d, source, utm_campaign, visits, pageviews, bounces, visit_duration FROM {database}.rollup_sources_daily)
ARRAY JOIN ['visits', 'source', 'utm_campaign'] AS attribute, ['', toString(source), utm_campaign] AS value
ARRAY JOIN [1, 4, 16] AS span_days
GROUP BY site_id, attribute, span_days, start, value
ORDER BY site_id, attribute, span_days, start, value;

INSERT INTO {database}.rollup_visitor_spans (site_id, attribute, span_days, day, value, visits, pageviews, bounces, visit_duration)
SETTINGS insert_deduplication_token = '0014_rollup_visitor_spans_attributes', max_threads = 1
SELECT site_id, attribute, span_days, d - (toUInt32(d) % span_days) AS start, toString(value), sum(visits), sum(pageviews), sum(bounces), sum(visit_duration)
FROM (SELECT site_id, attribute, day AS d, value, visits, pageviews, bounces, visit_duration FROM {database}.rollup_visit_attributes_daily)
ARRAY JOIN [1, 4, 16] AS span_days
GROUP BY site_id, attribute, span_days, start, value
ORDER BY site_id, attribute, span_days, start, value;

-- Visitor states and cookie-less pageviews of the days before this, from the raw rows still retained.
INSERT INTO {database}.rollup_visitor_spans (site_id, attribute, span_days, day, value, visitors_exact, anonymous_pageviews)
SETTINGS insert_deduplication_token = '0014_rollup_visitor_spans_hit_states', max_threads = 1
SELECT site_id, attribute, span_days, toDate(timestamp) - (toUInt32(toDate(timestamp)) % span_days) AS start, value,
       uniqCombined64StateIf(19)(visitor_id, visitor_id != toUUID('00000000-0000-0000-0000-000000000000')),
       countIf(kind = 1 AND visitor_id = toUUID('00000000-0000-0000-0000-000000000000'))
FROM {database}.hits
ARRAY JOIN ['hits', 'page'] AS attribute, ['', path] AS value
ARRAY JOIN [1, 4, 16] AS span_days
WHERE NOT is_bot AND (attribute = 'hits' OR kind = 1)
GROUP BY site_id, attribute, span_days, start, value
ORDER BY site_id, attribute, span_days, start, value;

INSERT INTO {database}.rollup_visitor_spans (site_id, attribute, span_days, day, value, visitors_exact, anonymous_pageviews)
SETTINGS insert_deduplication_token = '0014_rollup_visitor_spans_visit_states', max_threads = 1
SELECT site_id, attribute, span_days, toDate(started_at) - (toUInt32(toDate(started_at)) % span_days) AS start, value,
       uniqCombined64StateIf(19)(visitor_id, sign > 0 AND visitor_id != toUUID('00000000-0000-0000-0000-000000000000')),
       sum(sign * pageviews * (visitor_id = toUUID('00000000-0000-0000-0000-000000000000')))
FROM {database}.sessions
ARRAY JOIN ['visits', 'source', 'utm_campaign', 'country', 'browser', 'os', 'device_type'] AS attribute,
           ['', toString(source), utm_campaign, toString(country), toString(browser), toString(os), toString(device_type)] AS value
ARRAY JOIN [1, 4, 16] AS span_days
WHERE NOT is_bot
GROUP BY site_id, attribute, span_days, start, value
ORDER BY site_id, attribute, span_days, start, value;

-- The views add only cookie visitors to visitors_exact (MODIFY QUERY swaps a view's query in one step).
ALTER TABLE {database}.rollup_site_hourly_hits_mv MODIFY QUERY
SELECT
    site_id,
    toStartOfHour(timestamp) AS hour,
    countIf(NOT is_bot) AS hits,
    countIf(NOT is_bot AND kind = 1) AS pageviews,
    countIf(NOT is_bot AND kind = 2) AS events,
    countIf(NOT is_bot AND kind = 3) AS link_clicks,
    uniqCombined64StateIf(19)(visitor_id, NOT is_bot AND visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) AS visitors_exact,
    countIf(is_bot) AS bot_hits
FROM {database}.hits
GROUP BY site_id, hour;

ALTER TABLE {database}.rollup_sources_daily_mv MODIFY QUERY
SELECT
    site_id,
    toDate(started_at) AS day,
    channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign,
    uniqCombined64StateIf(19)(visitor_id, sign > 0 AND visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) AS visitors_exact,
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
    uniqCombined64StateIf(19)(visitor_id, sign > 0 AND visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) AS visitors_exact,
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
    uniqCombined64StateIf(19)(visitor_id, sign > 0 AND visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) AS visitors_exact,
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
    uniqCombined64StateIf(19)(visitor_id, visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) AS visitors_exact
FROM {database}.hits
WHERE kind = 3 AND NOT is_bot
GROUP BY site_id, day, link_campaign, link_target;

ALTER TABLE {database}.rollup_events_daily_mv MODIFY QUERY
SELECT
    site_id,
    toDate(timestamp) AS day,
    event_name,
    count() AS events,
    uniqCombined64StateIf(19)(visitor_id, visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) AS visitors_exact
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
    uniqCombined64StateIf(19)(visitor_id, visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) AS visitors_exact
FROM {database}.hits
WHERE kind = 1 AND NOT is_bot
GROUP BY site_id, hostname, path, day;

ALTER TABLE {database}.rollup_visit_attributes_daily_mv MODIFY QUERY
SELECT
    site_id,
    attribute,
    value,
    toDate(started_at) AS day,
    uniqCombined64StateIf(19)(visitor_id, sign > 0 AND visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) AS visitors_exact,
    sum(sign) AS visits,
    sum(sign * pageviews) AS pageviews,
    sum(sign * is_bounce) AS bounces,
    sum(sign * duration) AS visit_duration
FROM {database}.sessions
ARRAY JOIN ['country', 'browser', 'os', 'device_type'] AS attribute, [country, browser, os, device_type] AS value
WHERE NOT is_bot
GROUP BY site_id, attribute, value, day;

-- The states of the days the raw rows cover are emptied (the mutation finishes before the next statement)
-- and rebuilt from those rows with cookie visitors only. Days older than the raw rows keep theirs.
ALTER TABLE {database}.rollup_site_hourly UPDATE visitors_exact = arrayReduce('uniqCombined64State(19)', CAST([], 'Array(UUID)')) WHERE (site_id, toDate(hour)) IN (SELECT DISTINCT site_id, toDate(timestamp) FROM {database}.hits) SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;

ALTER TABLE {database}.rollup_paths_daily UPDATE visitors_exact = arrayReduce('uniqCombined64State(19)', CAST([], 'Array(UUID)')) WHERE (site_id, day) IN (SELECT DISTINCT site_id, toDate(timestamp) FROM {database}.hits) SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;

ALTER TABLE {database}.rollup_link_clicks_daily UPDATE visitors_exact = arrayReduce('uniqCombined64State(19)', CAST([], 'Array(UUID)')) WHERE (site_id, day) IN (SELECT DISTINCT site_id, toDate(timestamp) FROM {database}.hits) SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;

ALTER TABLE {database}.rollup_events_daily UPDATE visitors_exact = arrayReduce('uniqCombined64State(19)', CAST([], 'Array(UUID)')) WHERE (site_id, day) IN (SELECT DISTINCT site_id, toDate(timestamp) FROM {database}.hits) SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;

ALTER TABLE {database}.rollup_sources_daily UPDATE visitors_exact = arrayReduce('uniqCombined64State(19)', CAST([], 'Array(UUID)')) WHERE (site_id, day) IN (SELECT DISTINCT site_id, toDate(started_at) FROM {database}.sessions) SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;

ALTER TABLE {database}.rollup_locations_daily UPDATE visitors_exact = arrayReduce('uniqCombined64State(19)', CAST([], 'Array(UUID)')) WHERE (site_id, day) IN (SELECT DISTINCT site_id, toDate(started_at) FROM {database}.sessions) SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;

ALTER TABLE {database}.rollup_devices_daily UPDATE visitors_exact = arrayReduce('uniqCombined64State(19)', CAST([], 'Array(UUID)')) WHERE (site_id, day) IN (SELECT DISTINCT site_id, toDate(started_at) FROM {database}.sessions) SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;

ALTER TABLE {database}.rollup_visit_attributes_daily UPDATE visitors_exact = arrayReduce('uniqCombined64State(19)', CAST([], 'Array(UUID)')) WHERE (site_id, day) IN (SELECT DISTINCT site_id, toDate(started_at) FROM {database}.sessions) SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;

INSERT INTO {database}.rollup_site_hourly (site_id, hour, visitors_exact)
SELECT site_id, toStartOfHour(timestamp) AS hour, uniqCombined64StateIf(19)(visitor_id, visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) FROM {database}.hits WHERE NOT is_bot GROUP BY site_id, hour;

INSERT INTO {database}.rollup_paths_daily (site_id, hostname, path, day, visitors_exact)
SELECT site_id, hostname, path, toDate(timestamp) AS day, uniqCombined64StateIf(19)(visitor_id, visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) FROM {database}.hits WHERE kind = 1 AND NOT is_bot GROUP BY site_id, hostname, path, day;

INSERT INTO {database}.rollup_link_clicks_daily (site_id, day, link_campaign, link_target, visitors_exact)
SELECT site_id, toDate(timestamp) AS day, link_campaign, link_target, uniqCombined64StateIf(19)(visitor_id, visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) FROM {database}.hits WHERE kind = 3 AND NOT is_bot GROUP BY site_id, day, link_campaign, link_target;

INSERT INTO {database}.rollup_events_daily (site_id, day, event_name, visitors_exact)
SELECT site_id, toDate(timestamp) AS day, event_name, uniqCombined64StateIf(19)(visitor_id, visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) FROM {database}.hits WHERE kind = 2 AND NOT is_bot GROUP BY site_id, day, event_name;

INSERT INTO {database}.rollup_sources_daily (site_id, day, channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign, visitors_exact)
SELECT site_id, toDate(started_at) AS day, channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign, uniqCombined64StateIf(19)(visitor_id, sign > 0 AND visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) FROM {database}.sessions WHERE NOT is_bot GROUP BY site_id, day, channel, source, utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign;

INSERT INTO {database}.rollup_locations_daily (site_id, day, country, region, city, visitors_exact)
SELECT site_id, toDate(started_at) AS day, country, region, city, uniqCombined64StateIf(19)(visitor_id, sign > 0 AND visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) FROM {database}.sessions WHERE NOT is_bot GROUP BY site_id, day, country, region, city;

INSERT INTO {database}.rollup_devices_daily (site_id, day, device_type, browser, browser_version, os, os_version, visitors_exact)
SELECT site_id, toDate(started_at) AS day, device_type, browser, browser_version, os, os_version, uniqCombined64StateIf(19)(visitor_id, sign > 0 AND visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) FROM {database}.sessions WHERE NOT is_bot GROUP BY site_id, day, device_type, browser, browser_version, os, os_version;

INSERT INTO {database}.rollup_visit_attributes_daily (site_id, attribute, value, day, visitors_exact)
SELECT site_id, attribute, value, toDate(started_at) AS day, uniqCombined64StateIf(19)(visitor_id, sign > 0 AND visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) FROM {database}.sessions ARRAY JOIN ['country', 'browser', 'os', 'device_type'] AS attribute, [country, browser, os, device_type] AS value WHERE NOT is_bot GROUP BY site_id, attribute, value, day;
