-- Scale (issue #15). Deliveries are claimed group by group (job × sink) in turn, so a job with a million
-- open deliveries cannot keep a small job's few from their turn. One index answers both questions a
-- claim asks of a group: "has it a due delivery?" (a range probe on next_run_at, however many of its
-- rows wait for a later retry) and "which are the next due ones?" (the same range, in order). It
-- replaces the two indexes the old claim used (by id within a group, and by due time over all groups):
-- one index less to maintain on the busiest table.
CREATE INDEX deliveries_group_next ON deliveries (job_id, sink_index, next_run_at, id) WHERE status IN ('pending','retry_wait');
DROP INDEX deliveries_group_due;
DROP INDEX deliveries_due;
