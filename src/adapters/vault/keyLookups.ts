import type { Sql } from '../../domain/ports/sql.js';
import { SecretDestroyedError, SecretNotFoundError } from '../../domain/ports/vault.js';
import { batchLoader } from '../../shared/batchLoader.js';

type Row = { owner_id: string; wrapped_key: string | null; master_key_id: string | null };

/**
 * Looks up existing data keys in batches: every `get` made before the event loop moves on joins one
 * SELECT (see batchLoader). An owner without a key is answered SecretDestroyedError when its key was
 * destroyed, otherwise SecretNotFoundError — what a single lookup answers.
 */
export const keyLookups = (
  db: Sql,
  unwrap: (ownerId: string, wrapped: string, keyId: string) => Buffer,
  remember: (ownerId: string, key: Buffer) => Buffer,
) => ({
  get: batchLoader<Buffer>(async (ownerIds) => {
    const { rows } = await db.query<Row>(
      `SELECT k.owner_id, k.wrapped_key, k.master_key_id FROM vault_data_keys k WHERE k.owner_id = ANY($1::text[])
       UNION ALL
       SELECT d.owner_id, NULL, NULL FROM vault_destroyed d WHERE d.owner_id = ANY($1::text[])`,
      [ownerIds],
    );
    const found = new Map(rows.map((r) => [r.owner_id, r]));
    return (ownerId) => {
      const row = found.get(ownerId);
      if (!row) throw new SecretNotFoundError();
      if (row.wrapped_key === null) throw new SecretDestroyedError(ownerId);
      return remember(ownerId, unwrap(ownerId, row.wrapped_key, row.master_key_id!));
    };
  }),
});
