import { CatalogEvent } from '../domain/catalog/events.js';
import { lookalikeKey } from '../domain/catalog/skuCode.js';
import { MappingEvent } from '../domain/mapping/events.js';
import type { RecordedEvent } from '../domain/ports/eventStore.js';
import { decodeWith } from '../domain/shared/commandHandler.js';
import { StoreEvent } from '../domain/store/events.js';
import { sql, type Projection } from './projection.js';
import { recordset } from './recordset.js';

const decodeStore = decodeWith(StoreEvent);
const decodeCatalog = decodeWith(CatalogEvent);
const decodeMapping = decodeWith(MappingEvent);

/** Stores of every tenant, with platform, marketplace, country and status. */
export const storesProjection: Projection = {
  name: 'stores',
  version: 1,
  filter: { streamPrefixes: ['store-'] },
  tables: ['rm_stores'],
  apply: (recorded: RecordedEvent) => {
    const e = decodeStore(recorded);
    switch (e.type) {
      case 'StoreConnected': {
        const d = e.data;
        return [
          sql(
            `INSERT INTO rm_stores (store_id, tenant_id, authorization_id, platform, marketplace_id, country_code,
                                    marketplace_name, name, status, connected_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT (store_id) DO NOTHING`,
            d.storeId, d.tenantId, d.authorizationId, d.platform, d.marketplaceId, d.countryCode, d.marketplaceName, d.name, d.status, d.connectedAt,
          ),
        ];
      }
      case 'StoreStatusChanged':
        return [sql('UPDATE rm_stores SET status = $2, updated_at = $3 WHERE store_id = $1', e.data.storeId, e.data.status, e.data.changedAt)];
      case 'StoreSettingsChanged':
        return [sql('UPDATE rm_stores SET settings = $2, updated_at = $3 WHERE store_id = $1', e.data.storeId, JSON.stringify(e.data.settings), e.data.changedAt)];
    }
  },
};

/** System SKUs per tenant, with each code's look-alike key (version 2 added it). */
export const productsProjection: Projection = {
  name: 'products',
  version: 2,
  filter: { streamPrefixes: ['product-'] },
  tables: ['rm_products'],
  apply: (recorded) => {
    const e = decodeCatalog(recorded);
    switch (e.type) {
      case 'SystemSkuCreated':
        return [
          sql(
            `INSERT INTO rm_products (tenant_id, sku, name, barcode, status, created_at, updated_at, sku_key)
             VALUES ($1, $2, $3, $4, 'active', $5, $5, $6) ON CONFLICT (tenant_id, sku) DO NOTHING`,
            e.data.tenantId, e.data.sku, e.data.name, e.data.barcode, e.data.createdAt, lookalikeKey(e.data.sku),
          ),
        ];
      case 'SystemSkuUpdated':
        return [
          sql('UPDATE rm_products SET name = $3, barcode = $4, updated_at = $5 WHERE tenant_id = $1 AND sku = $2',
            e.data.tenantId, e.data.sku, e.data.name, e.data.barcode, e.data.updatedAt),
        ];
      case 'SystemSkuRetired':
        return [
          sql(`UPDATE rm_products SET status = 'retired', updated_at = $3 WHERE tenant_id = $1 AND sku = $2`,
            e.data.tenantId, e.data.sku, e.data.retiredAt),
        ];
    }
  },
};

type MappingRowState = {
  store_id: string;
  platform_sku: string;
  tenant_id: string;
  components: unknown;
  version: number;
  revision: number;
  removed: boolean;
  updated_at: string;
  /** A MappingSet of this key is in the batch: the row exists by the end of it, so it may be inserted. */
  created: boolean;
};

/** rm_mappings rows as the batch's two statements read them (one JSON parameter each). */
const MAPPING_ROWS = recordset([
  ['store_id', 'text'], ['platform_sku', 'text'], ['tenant_id', 'text'], ['components', 'jsonb'],
  ['version', 'integer'], ['revision', 'bigint'], ['removed', 'boolean'], ['updated_at', 'timestamptz'],
] as const);

const REMOVED_ROWS = recordset([
  ['store_id', 'text'], ['platform_sku', 'text'], ['version', 'integer'], ['revision', 'bigint'], ['updated_at', 'timestamptz'],
] as const);

/**
 * The `mappings` projection for a whole batch, set-based (two statements instead of one per
 * event: a 50,000-mapping import is applied in 100 statements, not 50,000 — which on embedded
 * PGlite is what keeps the event loop free). Why it equals `apply` event by event: every event
 * sets the row's columns to values from the event alone, so several events of one key fold into
 * the last one. A key with a MappingSet in the batch is upserted with that final state; a key
 * whose batch events are only removals is an UPDATE, a no-op without a row, as one by one.
 */
export const mappingsBatchStatements = (events: readonly RecordedEvent[]) => {
  const rows = new Map<string, MappingRowState>();
  for (const recorded of events) {
    const e = decodeMapping(recorded);
    const key = JSON.stringify([e.data.storeId, e.data.platformSku]);
    const created = rows.get(key)?.created === true || e.type === 'MappingSet';
    rows.set(key, {
      store_id: e.data.storeId,
      platform_sku: e.data.platformSku,
      tenant_id: e.data.tenantId,
      components: e.type === 'MappingSet' ? e.data.components : [],
      version: e.data.version,
      revision: recorded.revision,
      removed: e.type === 'MappingRemoved',
      updated_at: e.type === 'MappingSet' ? e.data.setAt : e.data.removedAt,
      created,
    });
  }
  const upserts = [...rows.values()].filter((r) => r.created);
  const removals = [...rows.values()].filter((r) => !r.created);
  const statements = [];
  if (upserts.length) {
    statements.push(
      sql(
        `INSERT INTO rm_mappings (${MAPPING_ROWS.names})
         SELECT ${MAPPING_ROWS.select} FROM ${MAPPING_ROWS.from(1, 'r')}
         ON CONFLICT (store_id, platform_sku) DO UPDATE
           SET components = EXCLUDED.components, version = EXCLUDED.version, revision = EXCLUDED.revision,
               removed = EXCLUDED.removed, updated_at = EXCLUDED.updated_at`,
        MAPPING_ROWS.encode(upserts),
      ),
    );
  }
  if (removals.length) {
    statements.push(
      sql(
        `UPDATE rm_mappings m SET removed = true, components = '[]', version = r.version, revision = r.revision, updated_at = r.updated_at
           FROM (SELECT ${REMOVED_ROWS.select} FROM ${REMOVED_ROWS.from(1, 'x')}) r
          WHERE m.store_id = r.store_id AND m.platform_sku = r.platform_sku`,
        REMOVED_ROWS.encode(removals),
      ),
    );
  }
  return statements;
};

/** The mappings in force per store (and tombstones of removed ones, for their revision). */
export const mappingsProjection: Projection = {
  name: 'mappings',
  version: 1,
  filter: { streamPrefixes: ['mapping-'] },
  tables: ['rm_mappings'],
  applyBatch: mappingsBatchStatements,
  apply: (recorded) => {
    const e = decodeMapping(recorded);
    switch (e.type) {
      case 'MappingSet':
        return [
          sql(
            `INSERT INTO rm_mappings (store_id, platform_sku, tenant_id, components, version, revision, removed, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, false, $7)
             ON CONFLICT (store_id, platform_sku) DO UPDATE
               SET components = EXCLUDED.components, version = EXCLUDED.version, revision = EXCLUDED.revision,
                   removed = false, updated_at = EXCLUDED.updated_at`,
            e.data.storeId, e.data.platformSku, e.data.tenantId, JSON.stringify(e.data.components), e.data.version, recorded.revision, e.data.setAt,
          ),
        ];
      case 'MappingRemoved':
        return [
          sql(
            `UPDATE rm_mappings SET removed = true, components = '[]', version = $3, revision = $4, updated_at = $5
              WHERE store_id = $1 AND platform_sku = $2`,
            e.data.storeId, e.data.platformSku, e.data.version, recorded.revision, e.data.removedAt,
          ),
        ];
    }
  },
};
