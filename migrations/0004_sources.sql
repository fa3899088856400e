-- Sources: a job may read its documents from a plugin (a CSV export, a folder, Zendesk) instead of the
-- request body. The read runs in the worker under the job's lease and resumes from a saved cursor.
ALTER TABLE jobs ADD COLUMN source_open boolean NOT NULL DEFAULT false; -- still takes documents (watched folder, webhook stream)
ALTER TABLE jobs ADD COLUMN ingest_due_at timestamptz;                  -- when the source must be read (again); null = not
ALTER TABLE jobs ADD COLUMN ingest_cursor jsonb;                        -- where this job's read resumes after a crash
ALTER TABLE jobs ADD COLUMN ingest_stats jsonb;                         -- documents read, rejected, read errors so far
CREATE INDEX jobs_ingest_due ON jobs (ingest_due_at) WHERE ingest_due_at IS NOT NULL;
-- Open stream jobs of a connection are looked up for every inbound webhook.
CREATE INDEX jobs_open_by_connection ON jobs ((source->>'connection')) WHERE source_open;

-- Where the next job on a connection resumes (e.g. Zendesk's after_cursor), written when a read ends.
ALTER TABLE connections ADD COLUMN cursor jsonb;
