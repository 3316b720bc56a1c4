-- Single-writer leases: background work that must run on one instance at a time (the warehouse feed
-- publisher) takes a lease here. Expiry is judged by the database clock only, so instances with
-- skewed clocks still agree on who holds it. A holder that dies simply stops renewing.
CREATE TABLE leases (
  name        text        PRIMARY KEY,
  -- instance that holds (or last held) the lease: host, pid and a random part
  holder      text        NOT NULL,
  -- fencing token: +1 whenever the lease changes hands. Writes made under a lease (the feed's
  -- checkpoint) check holder and epoch in the same transaction, so a stale holder cannot write.
  epoch       bigint      NOT NULL,
  acquired_at timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
