-- Data lifecycle (issue #17): deleting a job, retention of customer text, provider clean-up, redaction.
-- (0010 is intentionally unused.)

-- A job being deleted: its open work is canceled, its provider batches are deleted once they have ended,
-- then its rows are removed by the lifecycle sweep, chunk by chunk, and a tombstone is left.
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check CHECK (status IN
  ('pending','ingesting','running','awaiting_budget','pilot_failed','completed','completed_with_errors','canceled','failed','deleting'));
-- {requested_at, by, status_before, counts, usage, cost}: what the tombstone keeps, taken when the delete was asked for
-- (the rows it is computed from are removed afterwards).
ALTER TABLE jobs ADD COLUMN deletion jsonb;
-- Days after the job finished that its text, answers and delivery payloads are kept; null = BATCHLINE_RETENTION_DAYS.
ALTER TABLE jobs ADD COLUMN retention_days double precision CHECK (retention_days IS NULL OR retention_days >= 0);
-- When retention purged the job's text (the summary stays); null = not purged.
ALTER TABLE jobs ADD COLUMN purged_at timestamptz;
-- The patterns masked in document text before any request was built (["email","phone",…]); null = none.
ALTER TABLE jobs ADD COLUMN redact jsonb;
-- Keep every item's text until retention (experiment arms: the comparison shows it); false = drop it once the item is final.
ALTER TABLE jobs ADD COLUMN keep_text boolean NOT NULL DEFAULT false;
CREATE INDEX jobs_deleting ON jobs (id) WHERE status = 'deleting';
-- Finished jobs whose text retention has not purged yet, oldest first.
CREATE INDEX jobs_unpurged ON jobs (finished_at) WHERE purged_at IS NULL AND finished_at IS NOT NULL;

-- A provider batch deleted at the provider (DELETE /v1/messages/batches/{id}): its inputs and results are gone there.
ALTER TABLE batches ADD COLUMN provider_deleted_at timestamptz;
ALTER TABLE batches ADD COLUMN provider_delete_attempts integer NOT NULL DEFAULT 0;
-- Collected batches still held by the provider (BATCHLINE_PROVIDER_CLEANUP=after_collect deletes them).
CREATE INDEX batches_provider_held ON batches (id) WHERE provider_id IS NOT NULL AND provider_deleted_at IS NULL AND status IN ('collected','failed');

-- What an auditor needs of a deleted job, and no text: id, name, who and when, counts, usage and cost.
CREATE TABLE job_tombstones (
  id              text PRIMARY KEY,
  name            text,
  task            text NOT NULL,            -- the task's name
  model           text NOT NULL,
  status_before   text NOT NULL,            -- the job's status when the delete was asked for
  counts          jsonb NOT NULL,           -- items by state
  usage           jsonb NOT NULL,           -- tokens
  cost            jsonb NOT NULL,           -- usd, standard_usd, saved_usd
  provider_batches integer NOT NULL,        -- provider batches deleted at the provider
  deleted_by      text NOT NULL,            -- who asked (a fingerprint of the bearer token, never the token)
  created_at      timestamptz NOT NULL,     -- when the job was created
  finished_at     timestamptz,
  delete_requested_at timestamptz NOT NULL,
  deleted_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_tombstones_deleted ON job_tombstones (deleted_at DESC, id DESC);

-- One row per periodic chore: its lease makes it run on one replica at a time.
CREATE TABLE sweep_leases (
  name        text PRIMARY KEY,
  lease_owner text,
  lease_until timestamptz,
  last_run_at timestamptz
);
INSERT INTO sweep_leases (name) VALUES ('lifecycle');
