-- Orders a pull could not read (OrderRejected events), one row per store and marketplace order id
-- (or per payload hash when the payload has no readable id). Whether a later pull read the order
-- after all is answered at query time against rm_orders (same store and platform order id).
CREATE TABLE rm_rejected_orders (
  rejection_key     text        PRIMARY KEY,
  tenant_id         text        NOT NULL,
  store_id          text        NOT NULL,
  platform          text        NOT NULL,
  platform_order_id text,
  reason            text        NOT NULL,
  payload_hash      text        NOT NULL,
  last_pull_id      text        NOT NULL,
  first_rejected_at timestamptz NOT NULL,
  last_rejected_at  timestamptz NOT NULL,
  -- distinct payloads rejected for this order
  rejections        integer     NOT NULL
);
CREATE INDEX rm_rejected_orders_tenant ON rm_rejected_orders (tenant_id, last_rejected_at DESC, rejection_key);
