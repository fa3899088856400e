-- A later version of a record read while its item is at the provider (issue #16): kept here until the
-- item's batch closes, then it takes the item's place and is sent; the older version's answer is stored
-- (it was billed) but never delivered. {document, request_bytes, request_hash}.
ALTER TABLE items ADD COLUMN newer_version jsonb;
