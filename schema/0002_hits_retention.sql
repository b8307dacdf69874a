-- Per-site retention of raw hits, enforced by the database: each row carries the number of days its
-- site keeps raw data (filled by the aggregator from Retention:RawDays / Retention:Sites), and a TTL
-- deletes the row when that many days have passed. Default: 396 days (13 months, the cookie's life).
ALTER TABLE {database}.hits ADD COLUMN IF NOT EXISTS retention_days UInt16 DEFAULT 396;
ALTER TABLE {database}.hits MODIFY TTL toDateTime(timestamp) + toIntervalDay(retention_days);
