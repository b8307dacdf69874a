-- Every part of a table that keeps visitor states is stored Wide (one file per column), so a read of its
-- sums does not go through its states (issue 16: the pages panel's bound). The engine sizes a new part by
-- its uncompressed bytes, and it counts an aggregate state small: parts of these tables holding 20-120 MB
-- of states came out Compact (every column of a granule together in one file), where reading one small
-- column goes through the states stored beside it. At 10 M generated hits, the pages panel's bound (the
-- pageviews of 2,004 pages over 30 days, from rollup_visitor_spans_fine) took 31-39 ms on the Compact
-- parts and 12-18 ms on the same rows in Wide parts; reading the states themselves cost the same.
-- visitor_windows, the two rollups no longer written (rollup_pages_daily since 0008, rollup_visitor_spans
-- since 0019) get it too, so the rule has no exception (a window's check reads one granule, 10-12 ms
-- either way). New parts and merges follow the setting; stored parts turn Wide when next merged.
--
-- Safe with the aggregators running.

ALTER TABLE {database}.rollup_visitor_spans_fine MODIFY SETTING min_bytes_for_wide_part = 0;

ALTER TABLE {database}.rollup_site_hourly MODIFY SETTING min_bytes_for_wide_part = 0;

ALTER TABLE {database}.rollup_paths_daily MODIFY SETTING min_bytes_for_wide_part = 0;

ALTER TABLE {database}.rollup_sources_daily MODIFY SETTING min_bytes_for_wide_part = 0;

ALTER TABLE {database}.rollup_locations_daily MODIFY SETTING min_bytes_for_wide_part = 0;

ALTER TABLE {database}.rollup_devices_daily MODIFY SETTING min_bytes_for_wide_part = 0;

ALTER TABLE {database}.rollup_events_daily MODIFY SETTING min_bytes_for_wide_part = 0;

ALTER TABLE {database}.rollup_link_clicks_daily MODIFY SETTING min_bytes_for_wide_part = 0;

ALTER TABLE {database}.rollup_visit_attributes_daily MODIFY SETTING min_bytes_for_wide_part = 0;

ALTER TABLE {database}.visitor_windows MODIFY SETTING min_bytes_for_wide_part = 0;

ALTER TABLE {database}.rollup_pages_daily MODIFY SETTING min_bytes_for_wide_part = 0;

ALTER TABLE {database}.rollup_visitor_spans MODIFY SETTING min_bytes_for_wide_part = 0;
