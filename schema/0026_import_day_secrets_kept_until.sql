-- How long a day's import secret is kept is a setting (Import:KeepDaySecretsDays, default 2: a weekly logrotate
-- needs 8), so each row carries its own end instead of the table's fixed `day + 3`: the import writes
-- keep_until = day + the setting + 1 and reads only rows whose keep_until is after today; the TTL deletes them then.
-- Rows stored before this keep the end they had (the default is the old TTL). Safe with the aggregators running
-- (only `analytics import` reads and writes the table).
ALTER TABLE {database}.import_day_secrets ADD COLUMN IF NOT EXISTS keep_until Date DEFAULT day + 3;

ALTER TABLE {database}.import_day_secrets MODIFY TTL keep_until;
