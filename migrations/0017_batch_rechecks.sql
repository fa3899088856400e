-- Rechecks (issue #26). A status read that failed with something expected to clear in seconds (5xx, 429,
-- a lost connection) is looked at again on the short recheck schedule, counted by failed_looks (reset by
-- any answer). A callback that lands while a worker holds the batch sets recheck_requested, so the
-- worker's release makes the batch due at once instead of writing its own later time over the callback's.
ALTER TABLE batches ADD COLUMN failed_looks integer NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN recheck_requested boolean NOT NULL DEFAULT false;
