-- Cost control (issue #8): estimates, budgets, pilot runs and a result cache shared by jobs.

-- Two new pauses: the budget cannot cover the next batch, or the pilot sample failed its bar.
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check CHECK (status IN
  ('pending','ingesting','running','awaiting_budget','pilot_failed','completed','completed_with_errors','canceled','failed'));
ALTER TABLE jobs ADD COLUMN max_usd numeric(14,6);          -- spend ceiling (batch price, worst case reserved); null = none
ALTER TABLE jobs ADD COLUMN pilot jsonb;                      -- {items, min_success_rate}; null = no pilot
ALTER TABLE jobs ADD COLUMN pilot_state text CHECK (pilot_state IN ('pending','running','passed','failed','accepted'));
ALTER TABLE jobs ADD COLUMN pilot_batch_id bigint;
ALTER TABLE jobs ADD COLUMN result_cache boolean NOT NULL DEFAULT false; -- reuse and store answers by request hash
ALTER TABLE jobs ADD COLUMN estimate jsonb;                   -- what the job was expected to cost, made before its first batch
ALTER TABLE jobs ADD COLUMN pause_reason jsonb;               -- {type, message} while awaiting_budget / pilot_failed

-- Money a batch may cost at most (every input token written to the prompt cache, every answer at
-- max_tokens): reserved against the budget until its results are stored.
ALTER TABLE batches ADD COLUMN worst_case_usd numeric(14,6) NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN is_pilot boolean NOT NULL DEFAULT false;

-- sha256 of the exact request (model, parameters, prompt, document content): the result cache's key.
ALTER TABLE items ADD COLUMN request_hash text;

-- An answer reused from the result cache has no batch; its usage is what the original cost (money saved).
ALTER TABLE results ALTER COLUMN batch_id DROP NOT NULL;
ALTER TABLE results ADD COLUMN from_cache boolean NOT NULL DEFAULT false;

CREATE TABLE result_cache (
  request_hash   text PRIMARY KEY,
  model          text NOT NULL,
  output         jsonb NOT NULL,
  input_tokens   integer NOT NULL,
  output_tokens  integer NOT NULL,
  cache_creation_input_tokens integer NOT NULL,
  cache_read_input_tokens     integer NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL
);
CREATE INDEX result_cache_expiry ON result_cache (expires_at);
