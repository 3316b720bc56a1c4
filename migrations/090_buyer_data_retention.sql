-- Buyer-data retention (docs/retention.md). When an order became terminal (shipped or cancelled)
-- — written by the `retention` projection from the order streams — and when its buyer data key was
-- shredded. The retention job claims due rows (FOR UPDATE SKIP LOCKED plus a lease in
-- claimed_until), so several instances share the work and never shred one order twice at once.
CREATE TABLE retention_due (
  order_id      text        PRIMARY KEY,
  tenant_id     text        NOT NULL,
  store_id      text        NOT NULL,
  -- shipped | cancelled: the first terminal fact of the order, and its time
  trigger       text        NOT NULL,
  terminal_at   timestamptz NOT NULL,
  -- set from BuyerDataErased (and by the job right after it appends one)
  erased_at     timestamptz,
  claimed_by    text,
  claimed_until timestamptz
);
CREATE INDEX retention_due_pending ON retention_due (terminal_at) WHERE erased_at IS NULL;

-- The job's last run, for `oms status` and /metrics (one row, any instance writes it).
CREATE TABLE retention_runs (
  id          integer     PRIMARY KEY CHECK (id = 1),
  last_run_at timestamptz NOT NULL,
  last_erased integer     NOT NULL,
  last_error  text
);

-- The order detail says whether the buyer data was erased.
ALTER TABLE rm_orders ADD COLUMN buyer_data_erased_at timestamptz;
