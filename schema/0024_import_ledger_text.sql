-- What each imported file's text (decompressed, through its last full line) was: its length, lines and SHA-256.
-- A log imported while it was still being written, or since rotated and compressed, begins with that text: the
-- import continues it after those lines instead of counting them twice (docs/import.md). Rows recorded before
-- have 0 bytes and are matched by fingerprint only, as before. Safe with the aggregators running (only
-- `analytics import` reads the ledger).
ALTER TABLE {database}.import_ledger ADD COLUMN IF NOT EXISTS text_bytes UInt64;
ALTER TABLE {database}.import_ledger ADD COLUMN IF NOT EXISTS text_lines UInt64;
ALTER TABLE {database}.import_ledger ADD COLUMN IF NOT EXISTS text_sha256 String;
