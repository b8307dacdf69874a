-- One visit row each batch writes per month partition of `sessions` (the visit's site, start, ID and version,
-- sign +1), recorded with the batch before its first insert. A process killed during a batch leaves its visits
-- insert landed or not; a restarted aggregator that took back the visits stored open looks these rows up to
-- tell which. Landed: the visits it took back already hold the batch's hits, so it does not track them again
-- (it inserts the rows the batch wrote again, for a view the kill cut off). Not landed: it tracks them on the
-- visits it took back, as the killed process did. Either way a visit continued across the crash stays one
-- visit. No visitor ID: a visit's ID is its first hit's.
ALTER TABLE {database}.batch_writes ADD COLUMN IF NOT EXISTS visit_marks Array(Tuple(site_id String, started_at DateTime64(3, 'UTC'), session_id UUID, version UInt32));
