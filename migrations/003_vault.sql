-- The secret vault (envelope encryption). Outside the event store on purpose: deleting an owner's
-- data key makes everything sealed with it unrecoverable (crypto-shredding) while events stay.
CREATE TABLE vault_data_keys (
  owner_id      text        PRIMARY KEY,
  -- the owner's AES-256 data key, sealed with the master key: base64url(iv | tag | ciphertext)
  wrapped_key   text        NOT NULL,
  -- which master key wrapped it (first 16 hex digits of its SHA-256), for rotation
  master_key_id text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vault_data_keys_master ON vault_data_keys (master_key_id);

-- Secrets kept in the vault itself (refresh tokens, client secrets); events carry only the ref.
-- Rows outlive a destroyed data key on purpose: the ciphertext is there and provably unreadable.
CREATE TABLE vault_secrets (
  secret_ref uuid        PRIMARY KEY,
  owner_id   text        NOT NULL,
  sealed     text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vault_secrets_owner ON vault_secrets (owner_id);

-- Owners whose key was destroyed: their secrets answer "destroyed", never "unknown", and no new key
-- is ever made for them.
CREATE TABLE vault_destroyed (
  owner_id     text        PRIMARY KEY,
  destroyed_at timestamptz NOT NULL DEFAULT now()
);
