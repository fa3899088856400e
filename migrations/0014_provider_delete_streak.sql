-- 404s in a row answered to DELETE /v1/messages/batches/{id} (issue #17): a batch is taken as deleted at
-- the provider only after several in a row; any other answer in between starts the count again.
ALTER TABLE batches ADD COLUMN provider_delete_not_found integer NOT NULL DEFAULT 0;
