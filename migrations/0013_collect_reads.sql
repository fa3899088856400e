-- Reads of a batch's results stream that were started (issue #15): a read after the first (the one before
-- was cut, or its worker died) first loads which of the batch's lines are stored already and skips them,
-- so that a long batch re-read after a crash does its database work only for what is left.
ALTER TABLE batches ADD COLUMN collect_reads integer NOT NULL DEFAULT 0;
