-- Leave room on each page of the outbox so that claiming a delivery (setting its lease columns, which
-- no index covers) is a HOT update: no new entries in the table's six indexes for every claim.
ALTER TABLE deliveries SET (fillfactor = 70);
