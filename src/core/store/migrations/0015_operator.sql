-- Notes operators leave on a dead letter while they work on it: [{ "at", "by", "text" }], oldest first.
ALTER TABLE dead_letter ADD COLUMN notes jsonb NOT NULL DEFAULT '[]'::jsonb;
