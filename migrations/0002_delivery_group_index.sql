-- Claiming a (job, sink) group's due deliveries in id order is an index range scan instead of a scan
-- and sort of every open delivery of the job (measured: 72 ms → see bench/RESULTS.md per 2,000-row claim).
CREATE INDEX deliveries_group_due ON deliveries (job_id, sink_index, id) WHERE status IN ('pending','retry_wait');
