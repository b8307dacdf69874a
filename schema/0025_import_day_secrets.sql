-- The visitor secret `analytics import` derived a recent UTC day's visitors with, per site, so that the next run
-- (a daily `import access.log*` after logrotate cut the log within that day) derives the same day's visitors
-- alike: a visitor seen on both sides of the cut is one visitor, not two (docs/import.md, "Visitors, derived").
-- Only days from two days before the import on are kept, and each for two days after it ends (the TTL; the import
-- ignores an expired row the engine has not deleted yet): history of any older day keeps no secret. No visitor
-- IDs, no addresses. Safe with the aggregators running (only `analytics import` reads and writes it).
CREATE TABLE IF NOT EXISTS {database}.import_day_secrets
(
    site_id String,
    day Date,
    secret String,
    stored_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (site_id, day)
TTL day + toIntervalDay(3);
