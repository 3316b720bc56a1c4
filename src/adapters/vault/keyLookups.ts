import type { Sql } from '../../domain/ports/sql.js';
import { SecretDestroyedError, SecretNotFoundError } from '../../domain/ports/vault.js';

type Waiter = { resolve: (key: Buffer) => void; reject: (error: unknown) => void };
type Row = { owner_id: string; wrapped_key: string | null; master_key_id: string | null };

/**
 * Looks up existing data keys in batches: every `get` made before the event loop moves on joins one
 * SELECT (flushed with setImmediate, after the current burst of calls and their microtasks). An
 * owner without a key is answered SecretDestroyedError when its key was destroyed, otherwise
 * SecretNotFoundError — what a single lookup answers.
 */
export const keyLookups = (
  db: Sql,
  unwrap: (ownerId: string, wrapped: string, keyId: string) => Buffer,
  remember: (ownerId: string, key: Buffer) => Buffer,
) => {
  let pending = new Map<string, Waiter[]>();
  let scheduled = false;

  const flush = async () => {
    const batch = pending;
    pending = new Map();
    scheduled = false;
    try {
      const { rows } = await db.query<Row>(
        `SELECT k.owner_id, k.wrapped_key, k.master_key_id FROM vault_data_keys k WHERE k.owner_id = ANY($1::text[])
         UNION ALL
         SELECT d.owner_id, NULL, NULL FROM vault_destroyed d WHERE d.owner_id = ANY($1::text[])`,
        [[...batch.keys()]],
      );
      const found = new Map(rows.map((r) => [r.owner_id, r]));
      for (const [ownerId, waiters] of batch) {
        const row = found.get(ownerId);
        let outcome: { key: Buffer } | { error: unknown };
        try {
          if (!row) throw new SecretNotFoundError();
          if (row.wrapped_key === null) throw new SecretDestroyedError(ownerId);
          outcome = { key: remember(ownerId, unwrap(ownerId, row.wrapped_key, row.master_key_id!)) };
        } catch (error) {
          outcome = { error };
        }
        for (const w of waiters) {
          if ('key' in outcome) w.resolve(outcome.key);
          else w.reject(outcome.error);
        }
      }
    } catch (error) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
    }
  };

  return {
    get: (ownerId: string): Promise<Buffer> =>
      new Promise<Buffer>((resolve, reject) => {
        const waiters = pending.get(ownerId);
        if (waiters) waiters.push({ resolve, reject });
        else pending.set(ownerId, [{ resolve, reject }]);
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => void flush());
        }
      }),
  };
};
