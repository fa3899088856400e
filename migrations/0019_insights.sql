-- What the answers say (issue #24): a person's corrections of answers, and the insights computed over them.
--
-- A correction is the right value of one field of one item's answer, given by a person; with the model's
-- value beside it, the corrections of a field are an honest error rate of the model, and they become gold
-- labels for an experiment. They belong to the job: a delete removes them with its items, retention purges
-- them with its answers. `corrected_by` is the actor (a fingerprint of the key or session, never the secret)
-- and an optional name the person gave.
CREATE TABLE corrections (
  job_id        text NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  item_id       bigint NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  field         text NOT NULL,             -- dotted path in the task's answer schema
  value         jsonb NOT NULL,            -- the right value (JSON null when the right answer is null)
  model_value   jsonb,                     -- what the model answered (SQL NULL when it did not answer the field)
  corrected_by  text NOT NULL,
  author        text,
  note          text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (item_id, field)
);
CREATE INDEX corrections_job ON corrections (job_id, item_id);

-- Insights of a job computed over its stored answers, kept while nothing they were computed from changed:
-- `stamp` names what they were computed from (the job's status and finish, the answers counted, the
-- corrections' last change), and a read whose stamp differs computes again. One row per query (by, over,
-- filters), bounded per job; removed with the job.
CREATE TABLE insight_cache (
  job_id       text NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  query_key    text NOT NULL,
  stamp        text NOT NULL,
  body         jsonb NOT NULL,
  computed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, query_key)
);
