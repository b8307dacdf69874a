-- A closed period's visitor states merged ahead, once, for the dashboard's panels (issue 16: every panel under
-- 100 ms p50 at 10 M hits). A 30-day panel merges six span states per value (16, 4, 4, 4, 1, 1 days) and each
-- costs about a millisecond per large value; the days before yesterday do not change but by late data (a
-- replay after a long broker outage, an import), so their states are merged into one per value and stored
-- here, and a panel merges that one with the spans of yesterday and today.
--
-- A stored window answers only while the spans it was merged from are as they were: every row the views
-- write now counts itself in rollup_visitor_spans_fine.writes, which only grows with new rows (a merge adds
-- the counts up, a TTL delete takes them away), and each window row carries the sums of writes, visits and
-- pageviews of the site's total rows ('hits' for page windows, 'visits' for visit attributes: the views
-- write one beside every row they write on a day) over the window's spans, read just before it was
-- merged. A reader compares them with the sums now: a few rows of three small columns, no state. Rows
-- written before this migration count 0 writes; a TTL delete of them still takes their visits and
-- pageviews out of the sums.
--
-- Run it with the aggregators stopped, like 0023 (the embedded host migrates before its pipeline starts):
-- rows written by a view not yet changed count 0 writes.

ALTER TABLE {database}.rollup_visitor_spans_fine ADD COLUMN IF NOT EXISTS writes SimpleAggregateFunction(sum, UInt64);

ALTER TABLE {database}.visitor_spans_by_day ADD COLUMN IF NOT EXISTS writes UInt64;

-- The view into the spans first, so the counts the two views below write are summed as soon as they arrive.
ALTER TABLE {database}.rollup_visitor_spans_fine_mv MODIFY QUERY
SELECT
    site_id,
    attribute,
    span_days,
    on_day - (toUInt32(on_day) % span_days) AS day,
    value,
    uniqCombined64MergeState(19)(visitors_exact) AS visitors_exact,
    sum(visits) AS visits,
    sum(pageviews) AS pageviews,
    sum(anonymous_pageviews) AS anonymous_pageviews,
    sum(bounces) AS bounces,
    sum(visit_duration) AS visit_duration,
    sum(writes) AS writes
FROM {database}.visitor_spans_by_day
ARRAY JOIN [1, 4, 16] AS span_days
GROUP BY site_id, attribute, span_days, day, value;

ALTER TABLE {database}.rollup_visitor_spans_by_day_hits_mv MODIFY QUERY
SELECT
    site_id,
    attribute,
    toDate(timestamp) AS on_day,
    value,
    uniqCombined64StateIf(19)(visitor_id, visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) AS visitors_exact,
    countIf(kind = 1) AS pageviews,
    countIf(kind = 1 AND visitor_id = toUUID('00000000-0000-0000-0000-000000000000')) AS anonymous_pageviews,
    count() AS writes
FROM {database}.hits
ARRAY JOIN ['hits', 'page'] AS attribute, ['', path] AS value
WHERE NOT is_bot AND (attribute = 'hits' OR kind = 1)
GROUP BY site_id, attribute, on_day, value;

ALTER TABLE {database}.rollup_visitor_spans_by_day_sessions_mv MODIFY QUERY
SELECT
    site_id,
    attribute,
    toDate(started_at) AS on_day,
    value,
    uniqCombined64StateIf(19)(visitor_id, sign > 0 AND visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) AS visitors_exact,
    sum(sign) AS visits,
    sum(sign * pageviews) AS pageviews,
    sum(sign * s.pageviews * (visitor_id = toUUID('00000000-0000-0000-0000-000000000000'))) AS anonymous_pageviews,
    sum(sign * is_bounce) AS bounces,
    sum(sign * duration) AS visit_duration,
    count() AS writes
FROM {database}.sessions AS s
ARRAY JOIN ['visits', 'source', 'utm_campaign', 'country', 'browser', 'os', 'device_type'] AS attribute,
           ['', toString(source), utm_campaign, toString(country), toString(browser), toString(os), toString(device_type)] AS value
WHERE NOT is_bot
GROUP BY site_id, attribute, on_day, value;

-- One row per attribute value and build: the value's states and sums over [first_day, end_day), and the
-- site's totals the build read first (what a reader checks). A build never changes: a newer one is
-- another set of rows, and every row goes a day after its build (the next reader builds again).
CREATE TABLE IF NOT EXISTS {database}.visitor_windows
(
    site_id LowCardinality(String),
    attribute LowCardinality(String),
    first_day Date,
    end_day Date,
    built DateTime64(6, 'UTC'),
    value String,
    visitors_exact AggregateFunction(uniqCombined64(19), UUID),
    visits Int64,
    pageviews Int64,
    anonymous_pageviews Int64,
    bounces Int64,
    visit_duration Int64,
    total_writes UInt64,
    total_visits Int64,
    total_pageviews Int64
)
ENGINE = MergeTree
ORDER BY (site_id, attribute, first_day, end_day, built, value)
TTL toDateTime(built) + toIntervalDay(1)
SETTINGS index_granularity = 8;
