-- The day a page window's check of the 'hits' totals stops before (issue 18). A window read the hits of its days
-- and of the day after, because a batch writes its visits before its hits: a build may read a visit whose
-- hits come after it, and only a change to the next day's hits showed that. A window that holds yesterday
-- cannot check today's hits, which change all the time; its build proves instead, after reading the totals,
-- that yesterday's visits had every hit they count stored and none was still open, so it stores its own end
-- here. Rows stored before hold the day after their days, as they were checked.
--
-- Safe with the aggregators running: nothing else reads or writes this table.

ALTER TABLE {database}.page_windows ADD COLUMN IF NOT EXISTS hits_end_day Date DEFAULT end_day + 1;
