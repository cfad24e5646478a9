-- Notes operators leave on a dead letter while they work on it: [{ "at", "by", "text" }], oldest first.
ALTER TABLE dead_letter ADD COLUMN notes jsonb NOT NULL DEFAULT '[]'::jsonb;
-- A delivery retried outside the hub's replay (bull-board) that goes through closes its open dead letter: found by inbox row.
CREATE INDEX dead_letter_inbox_open_idx ON dead_letter (inbox_id) WHERE status = 'open';
