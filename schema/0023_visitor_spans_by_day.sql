-- rollup_visitor_spans_fine filled through one grouping per day instead of one per span length (issue 18: the
-- aggregator's write). Its two views expanded every visit row to 21 rows (7 attributes x spans of 1, 4 and 16
-- days) and every hit to up to 6, and grouped them all: the sessions view alone was about half the engine time of
-- the visits insert. Now each view groups its rows by attribute value and day only (7 rows per visit row, 2 per
-- hit) into visitor_spans_by_day, a Null table that stores nothing, and one view on it spreads each of those
-- few grouped rows over its three spans, merging their visitor states. The rows written to
-- rollup_visitor_spans_fine are the same: the same hashes in each span's state, the same sums.
--
-- Run it with the aggregators stopped, like 0008, 0012, 0014 and 0019 (the embedded host migrates before its
-- pipeline starts): a batch stored between the new views' creation and the old views' drop would be counted
-- twice in the spans. Stored rows are not touched.

CREATE TABLE IF NOT EXISTS {database}.visitor_spans_by_day
(
    site_id LowCardinality(String),
    attribute LowCardinality(String),
    on_day Date,
    value String,
    visitors_exact AggregateFunction(uniqCombined64(19), UUID),
    visits Int64,
    pageviews Int64,
    anonymous_pageviews Int64,
    bounces Int64,
    visit_duration Int64
)
ENGINE = Null;

-- First the view that takes the day rows on, so no row reaches the Null table unread.
CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_visitor_spans_fine_mv TO {database}.rollup_visitor_spans_fine AS
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
    sum(visit_duration) AS visit_duration
FROM {database}.visitor_spans_by_day
ARRAY JOIN [1, 4, 16] AS span_days
GROUP BY site_id, attribute, span_days, day, value;

-- 0019's two views' queries without the span lengths, the day as it is.
CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_visitor_spans_by_day_hits_mv TO {database}.visitor_spans_by_day AS
SELECT
    site_id,
    attribute,
    toDate(timestamp) AS on_day,
    value,
    uniqCombined64StateIf(19)(visitor_id, visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) AS visitors_exact,
    countIf(kind = 1) AS pageviews,
    countIf(kind = 1 AND visitor_id = toUUID('00000000-0000-0000-0000-000000000000')) AS anonymous_pageviews
FROM {database}.hits
ARRAY JOIN ['hits', 'page'] AS attribute, ['', path] AS value
WHERE NOT is_bot AND (attribute = 'hits' OR kind = 1)
GROUP BY site_id, attribute, on_day, value;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_visitor_spans_by_day_sessions_mv TO {database}.visitor_spans_by_day AS
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
    sum(sign * duration) AS visit_duration
FROM {database}.sessions AS s
ARRAY JOIN ['visits', 'source', 'utm_campaign', 'country', 'browser', 'os', 'device_type'] AS attribute,
           ['', toString(source), utm_campaign, toString(country), toString(browser), toString(os), toString(device_type)] AS value
WHERE NOT is_bot
GROUP BY site_id, attribute, on_day, value;

DROP VIEW IF EXISTS {database}.rollup_visitor_spans_fine_hits_mv;

DROP VIEW IF EXISTS {database}.rollup_visitor_spans_fine_sessions_mv;
