-- The browser's language: the primary subtag of its first Accept-Language choice, lower-cased ('de'),
-- '' when unknown. On hits, and on visits as the first hit's. No rollup carries it: it is answered from
-- these two tables. The header itself is never stored.
ALTER TABLE {database}.hits ADD COLUMN IF NOT EXISTS language LowCardinality(String);
ALTER TABLE {database}.sessions ADD COLUMN IF NOT EXISTS language LowCardinality(String);
