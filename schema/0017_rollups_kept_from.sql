-- Rollups kept from the day they are stored (issue 16: a 2015 log imported today with the default
-- settings must not be deleted by the next merge).
--
-- kept_from is the day a rollup row was stored; merging rows keeps the latest. The TTL, set at each
-- start from Retention:RollupDays (SchemaMigrator.ApplyRollupRetentionAsync), counts from the later of
-- the row's own day and kept_from. Rows stored before this get their own day (the column is first
-- added with that default and materialized), so nothing already stored is kept longer than before;
-- then the default becomes today() for every row the views write from now on.

ALTER TABLE {database}.rollup_site_hourly ADD COLUMN IF NOT EXISTS kept_from SimpleAggregateFunction(max, Date) DEFAULT toDate(hour);
ALTER TABLE {database}.rollup_site_hourly MATERIALIZE COLUMN kept_from SETTINGS mutations_sync = 2;
ALTER TABLE {database}.rollup_site_hourly MODIFY COLUMN kept_from SimpleAggregateFunction(max, Date) DEFAULT today();

ALTER TABLE {database}.rollup_pages_daily ADD COLUMN IF NOT EXISTS kept_from SimpleAggregateFunction(max, Date) DEFAULT day;
ALTER TABLE {database}.rollup_pages_daily MATERIALIZE COLUMN kept_from SETTINGS mutations_sync = 2;
ALTER TABLE {database}.rollup_pages_daily MODIFY COLUMN kept_from SimpleAggregateFunction(max, Date) DEFAULT today();

ALTER TABLE {database}.rollup_sources_daily ADD COLUMN IF NOT EXISTS kept_from SimpleAggregateFunction(max, Date) DEFAULT day;
ALTER TABLE {database}.rollup_sources_daily MATERIALIZE COLUMN kept_from SETTINGS mutations_sync = 2;
ALTER TABLE {database}.rollup_sources_daily MODIFY COLUMN kept_from SimpleAggregateFunction(max, Date) DEFAULT today();

ALTER TABLE {database}.rollup_locations_daily ADD COLUMN IF NOT EXISTS kept_from SimpleAggregateFunction(max, Date) DEFAULT day;
ALTER TABLE {database}.rollup_locations_daily MATERIALIZE COLUMN kept_from SETTINGS mutations_sync = 2;
ALTER TABLE {database}.rollup_locations_daily MODIFY COLUMN kept_from SimpleAggregateFunction(max, Date) DEFAULT today();

ALTER TABLE {database}.rollup_devices_daily ADD COLUMN IF NOT EXISTS kept_from SimpleAggregateFunction(max, Date) DEFAULT day;
ALTER TABLE {database}.rollup_devices_daily MATERIALIZE COLUMN kept_from SETTINGS mutations_sync = 2;
ALTER TABLE {database}.rollup_devices_daily MODIFY COLUMN kept_from SimpleAggregateFunction(max, Date) DEFAULT today();

ALTER TABLE {database}.rollup_link_clicks_daily ADD COLUMN IF NOT EXISTS kept_from SimpleAggregateFunction(max, Date) DEFAULT day;
ALTER TABLE {database}.rollup_link_clicks_daily MATERIALIZE COLUMN kept_from SETTINGS mutations_sync = 2;
ALTER TABLE {database}.rollup_link_clicks_daily MODIFY COLUMN kept_from SimpleAggregateFunction(max, Date) DEFAULT today();

ALTER TABLE {database}.rollup_events_daily ADD COLUMN IF NOT EXISTS kept_from SimpleAggregateFunction(max, Date) DEFAULT day;
ALTER TABLE {database}.rollup_events_daily MATERIALIZE COLUMN kept_from SETTINGS mutations_sync = 2;
ALTER TABLE {database}.rollup_events_daily MODIFY COLUMN kept_from SimpleAggregateFunction(max, Date) DEFAULT today();

ALTER TABLE {database}.rollup_bots_daily ADD COLUMN IF NOT EXISTS kept_from SimpleAggregateFunction(max, Date) DEFAULT day;
ALTER TABLE {database}.rollup_bots_daily MATERIALIZE COLUMN kept_from SETTINGS mutations_sync = 2;
ALTER TABLE {database}.rollup_bots_daily MODIFY COLUMN kept_from SimpleAggregateFunction(max, Date) DEFAULT today();

ALTER TABLE {database}.rollup_paths_daily ADD COLUMN IF NOT EXISTS kept_from SimpleAggregateFunction(max, Date) DEFAULT day;
ALTER TABLE {database}.rollup_paths_daily MATERIALIZE COLUMN kept_from SETTINGS mutations_sync = 2;
ALTER TABLE {database}.rollup_paths_daily MODIFY COLUMN kept_from SimpleAggregateFunction(max, Date) DEFAULT today();

ALTER TABLE {database}.rollup_visit_attributes_daily ADD COLUMN IF NOT EXISTS kept_from SimpleAggregateFunction(max, Date) DEFAULT day;
ALTER TABLE {database}.rollup_visit_attributes_daily MATERIALIZE COLUMN kept_from SETTINGS mutations_sync = 2;
ALTER TABLE {database}.rollup_visit_attributes_daily MODIFY COLUMN kept_from SimpleAggregateFunction(max, Date) DEFAULT today();

ALTER TABLE {database}.rollup_visitor_spans ADD COLUMN IF NOT EXISTS kept_from SimpleAggregateFunction(max, Date) DEFAULT day;
ALTER TABLE {database}.rollup_visitor_spans MATERIALIZE COLUMN kept_from SETTINGS mutations_sync = 2;
ALTER TABLE {database}.rollup_visitor_spans MODIFY COLUMN kept_from SimpleAggregateFunction(max, Date) DEFAULT today();
