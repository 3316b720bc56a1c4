-- A store that keeps failing shows since when (the first failure after its last success), so an
-- operator can tell a blip from an outage; cleared by the next successful pull.
ALTER TABLE pull_schedule ADD COLUMN failing_since timestamptz;
