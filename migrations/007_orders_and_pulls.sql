-- Order pulling: when each store is due, who is pulling it (claims), and where an interrupted pull
-- resumes. Watermarks come from PullCompleted events (a projection); claims and timing are
-- operational state written by the schedulers (FOR UPDATE SKIP LOCKED keeps one puller per store).
CREATE TABLE pull_schedule (
  store_id         text        PRIMARY KEY,
  tenant_id        text        NOT NULL,
  active           boolean     NOT NULL,
  connected_at     timestamptz NOT NULL,
  watermark        timestamptz,
  last_success_at  timestamptz,
  next_run_at      timestamptz NOT NULL,
  failures         integer     NOT NULL DEFAULT 0,
  last_error       text,
  last_error_at    timestamptz,
  claimed_by       text,
  claimed_until    timestamptz,
  running_pull_id  text,
  -- { pullId, window, cursor } of a pull interrupted after some pages
  resume           jsonb,
  manual_requested boolean     NOT NULL DEFAULT false
);
CREATE INDEX pull_schedule_due ON pull_schedule (next_run_at) WHERE active;

-- Orders as pulled (no buyer data: that stays sealed in the events).
CREATE TABLE rm_orders (
  order_id            text        PRIMARY KEY,
  tenant_id           text        NOT NULL,
  store_id            text        NOT NULL,
  platform            text        NOT NULL,
  marketplace_id      text        NOT NULL,
  platform_order_id   text        NOT NULL,
  status              text        NOT NULL,
  platform_status     text        NOT NULL,
  fulfillment_channel text        NOT NULL,
  purchased_at        timestamptz NOT NULL,
  platform_updated_at timestamptz NOT NULL,
  ship_by             timestamptz,
  service_level       text,
  ship_to_country     text,
  lines               jsonb       NOT NULL,
  content_hash        text        NOT NULL,
  versions            integer     NOT NULL,
  first_pulled_at     timestamptz NOT NULL,
  last_pulled_at      timestamptz NOT NULL
);
CREATE INDEX rm_orders_tenant_purchased ON rm_orders (tenant_id, purchased_at DESC, order_id);
CREATE INDEX rm_orders_store ON rm_orders (store_id, purchased_at DESC);
CREATE UNIQUE INDEX rm_orders_platform_id ON rm_orders (store_id, platform_order_id);
