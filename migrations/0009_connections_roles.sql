-- Connections, one per account: a connection of a plugin that is both a source and a sink (zendesk)
-- serves either role. kind, when set, restricts it to one; NULL = every role its plugin has. Connections
-- made before keep their kind, and so their behaviour.
ALTER TABLE connections ALTER COLUMN kind DROP NOT NULL;

-- What Batchline itself wrote into a team's system (the Zendesk tickets a sink updated), so that a source
-- reading the same system recognises those changes as its own and never takes them as new work: a
-- record whose last change falls inside the window of Batchline's last write to it was changed by
-- Batchline. One row per record (the latest write); upserted by the sink around each write.
CREATE TABLE own_writes (
  scope     text NOT NULL,        -- the system written to, as the plugin names it (zendesk: its account URL)
  record    text NOT NULL,        -- the record written (zendesk: the ticket id)
  began_at  timestamptz NOT NULL, -- the earliest its change can carry (just before the write was sent, less clock slack)
  ended_at  timestamptz,          -- the latest (once the write was seen done, plus slack); NULL while in flight
  PRIMARY KEY (scope, record)
);
