-- The dashboard's visitor spans in granules of 8 rows (rollup_visitor_spans_fine), so a query reads the
-- states it needs and hardly any others (issue 16: the default view under 100 ms per panel at 10 M hits).
--
-- ClickHouse reads a whole granule to read one row of it, and a column of aggregate states is read by
-- deserializing every state in the granule. rollup_visitor_spans (0014) had granules of 128 rows, and its
-- rows are sorted so that a site's totals and single-value panels lie side by side: reading the 9 states
-- of a 30-day total deserialized about 128 states of up to 2^19 registers (about 50 MB), 100-150 ms, where
-- the merge of the 9 states itself takes a few. Adaptive granularity (index_granularity_bytes) does not
-- help: it does not count an aggregate state's size. The setting cannot be changed on a table, so the
-- rows move to a new table with the same columns, key, views and states; only the granule size differs.
--
-- Steps (each can run again: the views are replaced by name, the copy carries a deduplication token and
-- reads an emptied table on a re-run). Run it with the aggregators stopped, like 0008, 0012 and 0014
-- (the embedded host migrates before its pipeline starts): a batch stored between the views' swap and the
-- copy would be copied twice. Nothing reads or writes rollup_visitor_spans afterwards; its rows are
-- deleted so that no copy of a visitor's hashes is left that an erase does not reach.

CREATE TABLE IF NOT EXISTS {database}.rollup_visitor_spans_fine
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
    visit_duration SimpleAggregateFunction(sum, Int64),
    kept_from SimpleAggregateFunction(max, Date) DEFAULT today()
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site_id, attribute, span_days, day, value)
TTL greatest(day, kept_from) + toIntervalDay(1827)
SETTINGS non_replicated_deduplication_window = 10000, index_granularity = 8;

DROP VIEW IF EXISTS {database}.rollup_visitor_spans_hits_mv;

DROP VIEW IF EXISTS {database}.rollup_visitor_spans_sessions_mv;

-- The same queries as 0014's views (kept_from takes its default, today, as there since 0017).
CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_visitor_spans_fine_hits_mv TO {database}.rollup_visitor_spans_fine AS
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

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.rollup_visitor_spans_fine_sessions_mv TO {database}.rollup_visitor_spans_fine AS
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

-- Every row so far, as it is (states, sums and kept_from).
INSERT INTO {database}.rollup_visitor_spans_fine (site_id, attribute, span_days, day, value, visitors_exact, visits, pageviews, anonymous_pageviews, bounces, visit_duration, kept_from)
SETTINGS insert_deduplication_token = '0019_rollup_visitor_spans_fine', max_threads = 1
SELECT site_id, attribute, span_days, day, value, visitors_exact, visits, pageviews, anonymous_pageviews, bounces, visit_duration, kept_from
FROM {database}.rollup_visitor_spans
ORDER BY site_id, attribute, span_days, day, value;

ALTER TABLE {database}.rollup_visitor_spans DELETE WHERE 1 SETTINGS mutations_sync = 2;
