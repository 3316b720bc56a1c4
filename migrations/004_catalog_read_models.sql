-- Read models for stores, products (system SKUs) and product mappings. Built by projections from
-- events; every query filters on tenant_id (tenant isolation lives in the query layer).
CREATE TABLE rm_stores (
  store_id         text        PRIMARY KEY,
  tenant_id        text        NOT NULL,
  authorization_id text        NOT NULL,
  platform         text        NOT NULL,
  marketplace_id   text        NOT NULL,
  country_code     text        NOT NULL,
  marketplace_name text        NOT NULL,
  name             text        NOT NULL,
  status           text        NOT NULL,
  connected_at     timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX rm_stores_tenant ON rm_stores (tenant_id, store_id);

CREATE TABLE rm_products (
  tenant_id  text        NOT NULL,
  sku        text        NOT NULL,
  name       text        NOT NULL,
  barcode    text,
  status     text        NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, sku)
);

-- One row per (store, platform SKU) that ever had a mapping; a removed mapping stays as a tombstone
-- (removed = true) so its stream revision is known to bulk imports.
CREATE TABLE rm_mappings (
  store_id     text        NOT NULL,
  platform_sku text        NOT NULL,
  tenant_id    text        NOT NULL,
  components   jsonb       NOT NULL,
  version      integer     NOT NULL,
  revision     bigint      NOT NULL,
  removed      boolean     NOT NULL,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (store_id, platform_sku)
);
CREATE INDEX rm_mappings_components ON rm_mappings USING gin (components jsonb_path_ops);
