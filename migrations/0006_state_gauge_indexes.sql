-- The state gauges (src/telemetry/metrics.ts, readStateCounts) count items and jobs by state on every metric
-- collection, for unfinished jobs and jobs finished in the last hour. Without an index that window is a scan
-- of every job ever run, and joining it to items could scan every item ever stored.
--
-- The window: both sides of `finished_at IS NULL OR finished_at > now() - 1 hour` are ranges of one btree
-- (NULLs sort last), which the query reads as two UNION ALL branches. One index for both, rather than a
-- partial index per side: the unfinished side is the queue of live jobs, the finished side grows with
-- history, and the range scan only ever reads the last hour of it.
CREATE INDEX jobs_finished ON jobs (finished_at);

-- No new index on items. The query counts each window job's items on its own (a LATERAL subquery by
-- job_id), which items_job_status (job_id, status, id) from 0001 already answers by an index-only range
-- scan: the cost follows the items of the window, never the items of older jobs. A partial index on the
-- open states (queued, submitted, retry_wait) would count those across all jobs without the window, but
-- the gauge also reports succeeded, failed and canceled for the window, so it would not remove that scan;
-- it would only add one more index entry to every status change of the busiest table.
