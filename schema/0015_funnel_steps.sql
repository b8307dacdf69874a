-- Funnels and goals read the hits of a few pages or events (issue 19). hits is ordered by day and visitor,
-- so finding one page's hits read the path of every hit of the period (and a regular expression per
-- hit): 1-3 s at 10 M hits. The projection hits_by_step keeps the columns a funnel step needs, ordered
-- by site, kind, event and page, so a step's hits are read by primary-key ranges. ClickHouse picks it by
-- itself for a query that needs no other column, keeps it in step with every insert, merge and TTL
-- delete of hits, and (with the setting below) rebuilds it when an erasure deletes a visitor's rows.
-- MATERIALIZE fills it for the parts already stored: nothing is rewritten in hits.
ALTER TABLE {database}.hits MODIFY SETTING lightweight_mutation_projection_mode = 'rebuild';

ALTER TABLE {database}.hits ADD PROJECTION IF NOT EXISTS hits_by_step (SELECT site_id, kind, event_name, path, timestamp, visitor_id, is_bot ORDER BY site_id, kind, event_name, path, timestamp);

ALTER TABLE {database}.hits MATERIALIZE PROJECTION hits_by_step SETTINGS mutations_sync = 1;

-- A funnel within one visit counts visits that started in its period. The visits that cross the
-- period's start or end are found by their ended_at, which this index lets a query read only around
-- those instants (sessions is ordered by the day a visit started).
ALTER TABLE {database}.sessions ADD INDEX IF NOT EXISTS sessions_ended_at ended_at TYPE minmax GRANULARITY 1;

ALTER TABLE {database}.sessions MATERIALIZE INDEX sessions_ended_at SETTINGS mutations_sync = 1;
