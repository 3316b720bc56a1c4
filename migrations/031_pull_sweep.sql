-- When each store last completed a reconciliation sweep (the seeds' 2-day re-read of updated
-- orders); the scheduled pulls in between only read from the watermark with a small overlap.
ALTER TABLE pull_schedule ADD COLUMN last_sweep_at timestamptz;
