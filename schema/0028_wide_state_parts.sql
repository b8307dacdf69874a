-- Every part of a table that keeps visitor states is stored Wide (one file per column), so a read of its
-- sums does not go through its states (issue 16: the pages panel's bound). The engine sizes a new part by
-- its uncompressed bytes, and it counts an aggregate state small: parts of these tables holding 20-120 MB
-- of states came out Compact (every column of a granule together in one file), and a read of one small
-- column seeked through the states of every granule it read. At 10 M generated hits, the pages panel's
-- bound (the pageviews of 2,004 pages over 30 days, from rollup_visitor_spans_fine) took 31-34 ms on the
-- Compact parts and 12-14 ms on the same rows in Wide parts; reads of the states themselves cost the same.
-- New parts and merges follow the setting; stored parts turn Wide when they are next merged.
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
