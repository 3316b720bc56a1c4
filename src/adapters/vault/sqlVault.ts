import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Sql } from '../../domain/ports/sql.js';
import { SecretDestroyedError, SecretNotFoundError, type Sealed, type Vault } from '../../domain/ports/vault.js';
import { keyLookups } from './keyLookups.js';

/**
 * Envelope encryption on PostgreSQL: AES-256-GCM everywhere; a random data key per owner, wrapped
 * by the master key; the owner id is authenticated data, so a ciphertext moved to another owner
 * does not open. Unwrapped data keys are cached for a short while (other instances may keep a
 * destroyed key in memory for at most `cacheTtlMs`).
 */
export type SqlVaultOptions = Readonly<{
  db: Sql;
  /** 32 bytes. New data keys are wrapped with it. */
  masterKey: Buffer;
  /** Former master keys: data keys they wrapped still open, and `rotate` re-wraps them. */
  previousMasterKeys?: readonly Buffer[];
  cacheTtlMs?: number;
  now?: () => number;
}>;

const b64 = (b: Buffer) => b.toString('base64url');
const unb64 = (s: string) => Buffer.from(s, 'base64url');

export const masterKeyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 16);

const IV_BYTES = 12;
const KEY_BYTES = 32;

/** `count` random byte strings of `size` bytes, from one call to the CSPRNG (a page seals hundreds). */
const randomChunks = (count: number, size: number): Buffer[] => {
  const pool = randomBytes(count * size);
  return Array.from({ length: count }, (_, i) => pool.subarray(i * size, (i + 1) * size));
};

const seal = (key: Buffer, plaintext: Buffer, aad: string, iv: Buffer = randomBytes(IV_BYTES)): string => {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `v1.${b64(iv)}.${b64(cipher.getAuthTag())}.${b64(ct)}`;
};

const open = (key: Buffer, sealed: string, aad: string): Buffer => {
  const [v, iv, tag, ct] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not a sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key, unb64(iv));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(unb64(tag));
  return Buffer.concat([decipher.update(unb64(ct)), decipher.final()]);
};

export const sqlVault = (opts: SqlVaultOptions): Vault & { rotate: () => Promise<{ rewrapped: number }> } => {
  if (opts.masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
  const { db } = opts;
  const masters = new Map([opts.masterKey, ...(opts.previousMasterKeys ?? [])].map((k) => [masterKeyId(k), k]));
  const currentId = masterKeyId(opts.masterKey);
  const ttl = opts.cacheTtlMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { key: Buffer; until: number }>();
  const wrapAad = (ownerId: string) => `oms-vault-key:${ownerId}`;

  const unwrap = (ownerId: string, wrapped: string, keyId: string): Buffer => {
    const master = masters.get(keyId);
    if (!master) throw new Error(`data key of ${ownerId} is wrapped by an unknown master key ${keyId}`);
    return open(master, wrapped, wrapAad(ownerId));
  };

  const cached = (ownerId: string): Buffer | undefined => {
    const hit = cache.get(ownerId);
    if (hit && hit.until > now()) return hit.key;
    cache.delete(ownerId);
    return undefined;
  };
  const remember = (ownerId: string, key: Buffer) => {
    if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
    cache.set(ownerId, { key, until: now() + ttl });
    return key;
  };

  /** The owner's data key; made on first use unless `create` is false. */
  const dataKey = async (ownerId: string, create: boolean): Promise<Buffer> => {
    const hit = cached(ownerId);
    if (hit) return hit;
    const { rows } = await db.query<{ wrapped_key: string; master_key_id: string }>(
      'SELECT wrapped_key, master_key_id FROM vault_data_keys WHERE owner_id = $1',
      [ownerId],
    );
    if (rows[0]) return remember(ownerId, unwrap(ownerId, rows[0].wrapped_key, rows[0].master_key_id));
    const destroyed = await db.query('SELECT 1 FROM vault_destroyed WHERE owner_id = $1', [ownerId]);
    if (destroyed.rows.length) throw new SecretDestroyedError(ownerId);
    if (!create) throw new SecretNotFoundError();
    const key = randomBytes(32);
    // Two callers may race to create: the first insert wins and everyone uses the stored key.
    await db.query(
      `INSERT INTO vault_data_keys (owner_id, wrapped_key, master_key_id) VALUES ($1, $2, $3)
       ON CONFLICT (owner_id) DO NOTHING`,
      [ownerId, seal(opts.masterKey, key, wrapAad(ownerId)), currentId],
    );
    cache.delete(ownerId);
    return dataKey(ownerId, false);
  };

  /**
   * Data keys of many owners, made where missing: the cache, then ONE statement that inserts fresh
   * keys for owners that have none (never for a destroyed owner) and returns every owner's stored
   * key. A pull seals a page of new orders with one round trip instead of four.
   */
  const dataKeys = async (ownerIds: readonly string[]): Promise<Map<string, Buffer>> => {
    const keys = new Map<string, Buffer>();
    const missing = [...new Set(ownerIds)].filter((id) => {
      const hit = cached(id);
      if (hit) keys.set(id, hit);
      return !hit;
    });
    if (!missing.length) return keys;
    // Keys are generated for every owner not cached; those that exist already simply keep theirs
    // (ON CONFLICT DO NOTHING) — wrapping 32 bytes costs far less than a round trip to ask first.
    const fresh = randomChunks(missing.length, KEY_BYTES);
    const ivs = randomChunks(missing.length, IV_BYTES);
    const candidates = missing.map((ownerId, i) => ({ owner_id: ownerId, wrapped_key: seal(opts.masterKey, fresh[i]!, wrapAad(ownerId), ivs[i]) }));
    // A key this statement stored comes back as the very wrapping made here: it needs no unwrapping.
    const made = new Map(candidates.map((c, i) => [c.wrapped_key, fresh[i]!]));
    const { rows } = await db.query<{ owner_id: string; wrapped_key: string | null; master_key_id: string | null }>(
      // The statement's parts share one snapshot: `created` rows are not seen by the second SELECT,
      // so no owner comes back twice; a key created concurrently by another transaction is in
      // neither part and is read below.
      `WITH wanted AS (
         SELECT owner_id, wrapped_key FROM jsonb_to_recordset($1::jsonb) AS k(owner_id text, wrapped_key text)),
       created AS (
         INSERT INTO vault_data_keys (owner_id, wrapped_key, master_key_id)
         SELECT w.owner_id, w.wrapped_key, $2 FROM wanted w
          WHERE NOT EXISTS (SELECT 1 FROM vault_destroyed d WHERE d.owner_id = w.owner_id)
         ON CONFLICT (owner_id) DO NOTHING
         RETURNING owner_id, wrapped_key, master_key_id)
       SELECT owner_id, wrapped_key, master_key_id FROM created
       UNION ALL
       SELECT k.owner_id, k.wrapped_key, k.master_key_id FROM vault_data_keys k JOIN wanted w USING (owner_id)
       UNION ALL
       SELECT d.owner_id, NULL, NULL FROM vault_destroyed d JOIN wanted w USING (owner_id)`,
      [JSON.stringify(candidates), currentId],
    );
    const destroyed = rows.find((r) => r.wrapped_key === null);
    if (destroyed) throw new SecretDestroyedError(destroyed.owner_id);
    for (const r of rows) keys.set(r.owner_id, remember(r.owner_id, made.get(r.wrapped_key!) ?? unwrap(r.owner_id, r.wrapped_key!, r.master_key_id!)));
    const raced = missing.filter((id) => !keys.has(id));
    if (raced.length) {
      const again = await db.query<{ owner_id: string; wrapped_key: string; master_key_id: string }>(
        'SELECT owner_id, wrapped_key, master_key_id FROM vault_data_keys WHERE owner_id = ANY($1::text[])',
        [raced],
      );
      for (const r of again.rows) keys.set(r.owner_id, remember(r.owner_id, unwrap(r.owner_id, r.wrapped_key, r.master_key_id)));
      const lost = raced.find((id) => !keys.has(id));
      // Deleted between the two statements: only destroyOwner deletes keys.
      if (lost !== undefined) throw new SecretDestroyedError(lost);
    }
    return keys;
  };

  /**
   * Existing data keys for `open`, looked up together: the opens started in one turn of the event
   * loop (a feed batch opening the ship-to of 200 orders) share one SELECT instead of one each.
   */
  const lookups = keyLookups(db, unwrap, remember);
  const existingKey = async (ownerId: string): Promise<Buffer> => cached(ownerId) ?? lookups.get(ownerId);

  return {
    sealMany: async (items) => {
      const keys = await dataKeys(items.map((i) => i.ownerId));
      const ivs = randomChunks(items.length, IV_BYTES);
      return items.map((i, n) => seal(keys.get(i.ownerId)!, Buffer.from(i.plaintext, 'utf8'), i.ownerId, ivs[n]) as Sealed);
    },

    seal: async (ownerId, plaintext) => seal(await dataKey(ownerId, true), Buffer.from(plaintext, 'utf8'), ownerId) as Sealed,

    open: async (ownerId, sealed) => open(await existingKey(ownerId), sealed, ownerId).toString('utf8'),

    storeSecret: async (ownerId, plaintext) => {
      const ref = randomUUID();
      const sealed = seal(await dataKey(ownerId, true), Buffer.from(plaintext, 'utf8'), `${ownerId}:${ref}`);
      await db.query('INSERT INTO vault_secrets (secret_ref, owner_id, sealed) VALUES ($1, $2, $3)', [ref, ownerId, sealed]);
      return ref;
    },

    readSecret: async (ref) => {
      const { rows } = await db.query<{ owner_id: string; sealed: string }>(
        'SELECT owner_id, sealed FROM vault_secrets WHERE secret_ref = $1::uuid',
        [ref],
      );
      const row = rows[0];
      if (!row) throw new SecretNotFoundError();
      return open(await dataKey(row.owner_id, false), row.sealed, `${row.owner_id}:${ref}`).toString('utf8');
    },

    deleteSecret: async (ref) => {
      await db.query('DELETE FROM vault_secrets WHERE secret_ref = $1::uuid', [ref]);
    },

    destroyOwner: async (ownerId) => {
      await db.transaction(async (tx) => {
        await tx.query('DELETE FROM vault_data_keys WHERE owner_id = $1', [ownerId]);
        await tx.query('INSERT INTO vault_destroyed (owner_id) VALUES ($1) ON CONFLICT DO NOTHING', [ownerId]);
      });
      cache.delete(ownerId);
    },

    /** Re-wrap every data key not wrapped by the current master key. Events are not touched. */
    rotate: async () => {
      let rewrapped = 0;
      for (;;) {
        const { rows } = await db.query<{ owner_id: string; wrapped_key: string; master_key_id: string }>(
          'SELECT owner_id, wrapped_key, master_key_id FROM vault_data_keys WHERE master_key_id <> $1 LIMIT 500',
          [currentId],
        );
        if (rows.length === 0) return { rewrapped };
        await db.transaction(async (tx) => {
          for (const r of rows) {
            const key = unwrap(r.owner_id, r.wrapped_key, r.master_key_id);
            await tx.query(
              'UPDATE vault_data_keys SET wrapped_key = $2, master_key_id = $3 WHERE owner_id = $1 AND master_key_id = $4',
              [r.owner_id, seal(opts.masterKey, key, wrapAad(r.owner_id)), currentId, r.master_key_id],
            );
          }
        });
        rewrapped += rows.length;
      }
    },
  };
};
