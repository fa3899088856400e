-- Signed values that still verify but must not be accepted again (issue #29): a source webhook delivery
-- already taken (a captured one replayed inside its 5-minute signature window) and a dashboard session
-- that was logged out (a captured cookie). Each row is needed only until the value would stop verifying
-- anyway (expires_at); expired rows are deleted as new ones are written. `digest` is a SHA-256 of the
-- value, never the value itself. In Postgres, not in memory, so every replica refuses them.
CREATE TABLE spent_signatures (
  digest      text PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('webhook_delivery', 'dashboard_session')),
  expires_at  timestamptz NOT NULL,
  spent_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX spent_signatures_expires_at ON spent_signatures (expires_at);
