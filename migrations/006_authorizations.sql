-- Authorizations per tenant, for listing (the detail is read from the authorization's stream).
CREATE TABLE rm_authorizations (
  authorization_id text        PRIMARY KEY,
  tenant_id        text        NOT NULL,
  platform         text        NOT NULL,
  name             text        NOT NULL,
  region           text,
  status           text        NOT NULL,
  renew_by         timestamptz,
  last_failure     text,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX rm_authorizations_tenant ON rm_authorizations (tenant_id, updated_at);
