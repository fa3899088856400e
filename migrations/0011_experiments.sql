-- Experiments (issue #18): a sample of a source run through two or more task variants ("arms"), each arm
-- an ordinary job on the same sampled documents, compared field by field and, with gold labels, scored.

CREATE TABLE experiments (
  id              text PRIMARY KEY,
  name            text,
  task            jsonb NOT NULL,          -- the base task as resolved; arms vary model, prompt, system, max_tokens
  source          jsonb,                   -- the stored source the sample was read from (secrets sealed); null for inline documents
  documents       jsonb,                   -- inline documents, all of them (promote runs the arm on every one); null with a source
  population      jsonb NOT NULL,          -- what the source held when sampled: {documents, rejected}
  sample          jsonb NOT NULL,          -- {size, seed, stratify_by, strata, ids}: ids in sampling order
  labels          jsonb,                   -- {kind, fields, values: {external id: {field: expected}}} for sampled documents
  compare         jsonb NOT NULL,          -- how fields are compared: {tolerance: {field: n}, exact: [field]}
  max_usd         numeric(14,6),           -- the budget of all arms together (each arm's job holds its share)
  idempotency_key text UNIQUE,
  request_hash    text,
  trace_context   text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX experiments_created ON experiments (created_at DESC, id DESC);

CREATE TABLE experiment_arms (
  experiment_id   text NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  position        integer NOT NULL,
  name            text NOT NULL,
  spec            jsonb NOT NULL,          -- the arm as asked for: {model, prompt, system, max_tokens}
  job_request     jsonb NOT NULL,          -- the task part of its job request (task, model, max_tokens): promote sends the same
  job_id          text REFERENCES jobs(id) ON DELETE SET NULL,
  promoted_job_id text REFERENCES jobs(id) ON DELETE SET NULL,
  PRIMARY KEY (experiment_id, position),
  UNIQUE (experiment_id, name)
);
CREATE INDEX experiment_arms_job ON experiment_arms (job_id);
