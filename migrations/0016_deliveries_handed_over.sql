-- A delivery given to its sink at least once (issue #15). A sink that keeps each result exactly once (the
-- file sink) checks only these against what it already holds, instead of remembering every key it ever
-- wrote: memory that grew with the job. Set when a delivery is claimed, so a crash before its outcome is
-- recorded still leaves it marked; never cleared, not even by a replay (a replayed result may be there).
ALTER TABLE deliveries ADD COLUMN handed_over boolean NOT NULL DEFAULT false;
