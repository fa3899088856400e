-- Batchline's initial schema: every piece of state lives here, and the state rows are the work queue.
-- Rows that need work carry next_run_at plus a lease (lease_owner, lease_until); workers claim them
-- with FOR UPDATE SKIP LOCKED, so replicas share one database and a dead replica's leases expire.

-- One row: facts about this database (a random tag that makes custom_ids unique per installation).
CREATE TABLE installation (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  tag         text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO installation (tag) VALUES (substr(md5(random()::text || clock_timestamp()::text), 1, 6));

CREATE TABLE jobs (
  id               text PRIMARY KEY,
  name             text,
  status           text NOT NULL CHECK (status IN ('pending','ingesting','running','completed','completed_with_errors','canceled','failed')),
  task             jsonb NOT NULL,          -- the resolved task: name, system, prompt, output_schema, model, max_tokens
  source           jsonb,                   -- what the documents came from (null for inline documents)
  sinks            jsonb NOT NULL DEFAULT '[]',
  idempotency_key  text UNIQUE,
  request_hash     text,                    -- sha256 of the create body, to tell a replay from a conflicting reuse of the key
  cancel_requested_at timestamptz,
  error            jsonb,
  trace_context    text,                    -- W3C traceparent of the job's root span
  next_run_at      timestamptz,             -- when the job needs attention (finalize, ingest); null = nothing to do
  lease_owner      text,
  lease_until      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
CREATE INDEX jobs_created ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_due ON jobs (next_run_at) WHERE next_run_at IS NOT NULL;

CREATE TABLE batches (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id           text NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  status           text NOT NULL CHECK (status IN ('planned','submitting','in_progress','canceling','ended','collected','failed')),
  provider_id      text UNIQUE,
  model            text NOT NULL,
  request_count    integer NOT NULL,
  request_bytes    bigint NOT NULL,
  is_retry         boolean NOT NULL DEFAULT false,  -- holds only re-submitted items
  provider_status  text,                             -- processing_status as last seen
  request_counts   jsonb,                            -- request_counts as last seen
  cancel_requested boolean NOT NULL DEFAULT false,
  submit_started_at timestamptz,                     -- when batches.create was first attempted (orphan search window)
  create_in_doubt_until timestamptz,                 -- a create call may still be landing until then: never resubmit before
  submitted_at     timestamptz,
  ended_at         timestamptz,
  collected_at     timestamptz,
  poll_count       integer NOT NULL DEFAULT 0,
  poll_interval_ms integer,
  collect_attempts integer NOT NULL DEFAULT 0,
  last_error       jsonb,
  trace_context    text,
  next_run_at      timestamptz,
  lease_owner      text,
  lease_until      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX batches_job ON batches (job_id, id);
CREATE INDEX batches_due ON batches (next_run_at) WHERE next_run_at IS NOT NULL;

CREATE TABLE items (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id         text NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  external_id    text NOT NULL,
  document       jsonb NOT NULL,            -- text, metadata, attachment references (never large bytes)
  request_bytes  integer,                   -- measured size of the serialized request, set at planning
  status         text NOT NULL CHECK (status IN ('queued','submitted','succeeded','retry_wait','failed','canceled')),
  attempts       integer NOT NULL DEFAULT 0,  -- submissions so far; the current one is (batch_id, attempts)
  attempt_base   integer NOT NULL DEFAULT 0,  -- attempts before the last manual retry; MAX_ATTEMPTS counts from here
  batch_id       bigint REFERENCES batches(id),
  next_run_at    timestamptz,               -- for retry_wait: when it may be planned again
  last_error     jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (job_id, external_id)
);
CREATE INDEX items_job_status ON items (job_id, status, id);
CREATE INDEX items_batch ON items (batch_id) WHERE batch_id IS NOT NULL;

-- One row per (item, attempt): what the provider answered. Keyed so re-reading a results stream is harmless.
CREATE TABLE results (
  item_id        bigint NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  attempt        integer NOT NULL,
  job_id         text NOT NULL,
  batch_id       bigint NOT NULL,
  outcome        text NOT NULL CHECK (outcome IN ('succeeded','invalid_output','errored','expired','canceled')),
  output         jsonb,
  error          jsonb,
  model          text,
  input_tokens   integer NOT NULL DEFAULT 0,
  output_tokens  integer NOT NULL DEFAULT 0,
  cache_creation_input_tokens integer NOT NULL DEFAULT 0,
  cache_read_input_tokens     integer NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (item_id, attempt)
);
CREATE INDEX results_job ON results (job_id);

-- The outbox: one row per final result × sink.
CREATE TABLE deliveries (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id          text NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  item_id         bigint NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  attempt         integer NOT NULL,        -- which result of the item this delivers (a manual retry makes a new one)
  sink_index      integer NOT NULL,
  idempotency_key text NOT NULL UNIQUE,    -- stable per (item, result, sink): receivers dedupe on it
  status          text NOT NULL CHECK (status IN ('pending','delivered','retry_wait','dead')),
  attempts        integer NOT NULL DEFAULT 0,
  last_error      jsonb,
  next_run_at     timestamptz,
  lease_owner     text,
  lease_until     timestamptz,
  delivered_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (item_id, attempt, sink_index)
);
CREATE INDEX deliveries_due ON deliveries (next_run_at, job_id, sink_index) WHERE status IN ('pending','retry_wait');
CREATE INDEX deliveries_job ON deliveries (job_id, status);

-- Named, configured plugin instances; secret fields are kept only encrypted.
CREATE TABLE connections (
  name            text PRIMARY KEY,
  plugin          text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('source','sink')),
  config          jsonb NOT NULL,          -- non-secret fields
  secrets         text,                    -- AES-256-GCM ciphertext of the secret fields
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Inbound completion callbacks, kept for replay protection (by webhook-id) and audit.
CREATE TABLE callback_events (
  webhook_id      text PRIMARY KEY,
  provider_batch_id text,
  outcome         text NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now()
);
