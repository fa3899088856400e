-- Real-API behaviour (issue #14). A provider id is a promise: once batches.create has answered with an id,
-- a 404 for it means "not visible right now" (propagation delay, reference §12), never "gone". The run of
-- 404s is kept on the row, so a restarted or different worker continues the same window instead of
-- starting a new one.
ALTER TABLE batches ADD COLUMN unconfirmed_since timestamptz;           -- first 404 of the current run; null = visible
ALTER TABLE batches ADD COLUMN unconfirmed_looks integer NOT NULL DEFAULT 0; -- 404 answers in that run
ALTER TABLE batches ADD COLUMN gone_at timestamptz;                     -- declared gone: invisible for the whole window and not in batches.list
ALTER TABLE batches ADD COLUMN gone_reason jsonb;                       -- {type, message, requeued}
-- Results streams that ended cleanly but short, counted apart from failed reads (errors, 404s, cut
-- connections): only those say the provider holds no answer for the missing lines.
ALTER TABLE batches ADD COLUMN short_reads integer NOT NULL DEFAULT 0;

-- Whether the job's requests mark the task's shared prefix with cache_control: decided once, before the
-- first batch, from the prefix's measured size against the model's minimum cacheable prefix (§14).
-- {marked, prefix_tokens, min_prefix_tokens, basis}
ALTER TABLE jobs ADD COLUMN prompt_cache jsonb;
