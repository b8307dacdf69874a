-- Log files `analytics import` has finished, by the SHA-256 of their bytes and the site they went to,
-- so running the same import again is a no-op instead of counting its pageviews twice (`--force`
-- imports it again). No visitor IDs, no addresses: the file's name, its line count and time range,
-- and what was imported.
CREATE TABLE IF NOT EXISTS {database}.import_ledger
(
    site_id String,
    fingerprint String,
    file String,
    lines UInt64,
    pageviews UInt64,
    first_at DateTime64(3, 'UTC'),
    last_at DateTime64(3, 'UTC'),
    imported_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (site_id, fingerprint);
