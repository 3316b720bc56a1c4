import { z } from 'zod';
import type { MappingComponent } from '../../domain/mapping/events.js';
import type { MappingLookup, SkuLookup } from '../../domain/mapping/lookups.js';
import type { CatalogQueries, MappingRow, ProductRow, StoreRow } from '../../domain/ports/catalogQueries.js';
import type { Page } from '../../domain/ports/cursors.js';
import type { Sql } from '../../domain/ports/sql.js';
import { syncHealth } from '../../domain/pull/health.js';
import { listCursor, type ListCursor } from '../shared/cursorCodec.js';

/** A page's key: the last SKU or platform SKU (PostgreSQL text holds no NUL: such a key was not issued here). */
const CodeKey = z.string().min(1).refine((key) => !key.includes('\u0000'));
const productCursor = listCursor('products', CodeKey);
const mappingCursor = listCursor('mappings', CodeKey);

/** The key after which a page starts, or null for the first page. */
const after = (cursor: ListCursor<string>, given: string | null | undefined): string | null => (given ? cursor.decode(given) : null);

const page = <T>(rows: T[], limit: number, cursor: ListCursor<string>, keyOf: (row: T) => string): Page<T> => {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, nextCursor: more ? cursor.encode(keyOf(items.at(-1)!)) : null };
};

const likeEscape = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : null);

const toStore = (r: Record<string, unknown>): StoreRow => ({
  storeId: r.store_id as string,
  authorizationId: r.authorization_id as string,
  platform: r.platform as string,
  marketplaceId: r.marketplace_id as string,
  countryCode: r.country_code as string,
  marketplaceName: r.marketplace_name as string,
  name: r.name as string,
  status: r.status as string,
  connectedAt: (r.connected_at as Date).toISOString(),
  settings: { skipMarketplaceFulfilled: false, walmart3plNode: false, ...(r.settings as object | null) },
  sync: {
    lastSuccessAt: iso(r.last_success_at),
    watermark: iso(r.watermark),
    nextRunAt: r.active ? iso(r.next_run_at) : null,
    running: r.claimed_until instanceof Date && r.claimed_until.getTime() > Date.now(),
    lastError: (r.last_error as string | null) ?? null,
    lastErrorAt: iso(r.last_error_at),
    failures: (r.failures as number | null) ?? 0,
    ...syncHealth({ failures: (r.failures as number | null) ?? 0, lastError: (r.last_error as string | null) ?? null, failingSince: iso(r.failing_since) }),
  },
});

const toProduct = (r: Record<string, unknown>): ProductRow => ({
  sku: r.sku as string,
  name: r.name as string,
  barcode: (r.barcode as string | null) ?? null,
  status: r.status as string,
  createdAt: (r.created_at as Date).toISOString(),
  updatedAt: (r.updated_at as Date).toISOString(),
});

const toMapping = (r: Record<string, unknown>): MappingRow => ({
  platformSku: r.platform_sku as string,
  components: r.components as MappingComponent[],
  version: r.version as number,
  updatedAt: (r.updated_at as Date).toISOString(),
});

/**
 * Queries over the store, product and mapping read models (the port: domain/ports/catalogQueries.ts).
 * Cursors are list cursors (adapters/shared/cursorCodec.ts) of the last row's key, read back here only.
 */
export const catalogQueries = (db: Sql): CatalogQueries => ({
  forTenant: (tenantId: string) => ({
    stores: {
      list: async (opts: { platform?: string; status?: string }) =>
        (
          await db.query(
            `SELECT s.*, p.watermark, p.last_success_at, p.next_run_at, p.claimed_until, p.last_error, p.last_error_at, p.failures, p.failing_since, p.active
               FROM rm_stores s LEFT JOIN pull_schedule p ON p.store_id = s.store_id
              WHERE s.tenant_id = $1 AND ($2::text IS NULL OR s.platform = $2)
                AND ($3::text IS NULL OR s.status = $3) ORDER BY s.connected_at, s.store_id`,
            [tenantId, opts.platform ?? null, opts.status ?? null],
          )
        ).rows.map(toStore),
      get: async (storeId: string) =>
        (
          await db.query(
            `SELECT s.*, p.watermark, p.last_success_at, p.next_run_at, p.claimed_until, p.last_error, p.last_error_at, p.failures, p.failing_since, p.active
               FROM rm_stores s LEFT JOIN pull_schedule p ON p.store_id = s.store_id
              WHERE s.tenant_id = $1 AND s.store_id = $2`,
            [tenantId, storeId],
          )
        ).rows.map(toStore)[0] ?? null,
    },

    authorizations: {
      list: async () =>
        (
          await db.query<{
            authorization_id: string; platform: string; name: string; region: string | null; status: string; renew_by: Date | null;
            last_failure: string | null; account_id: string | null; client_id_hint: string | null; country_code: string | null;
          }>(
            `SELECT authorization_id, platform, name, region, status, renew_by, last_failure, account_id, client_id_hint, country_code FROM rm_authorizations
              WHERE tenant_id = $1 AND status <> 'merged' ORDER BY updated_at DESC, authorization_id`,
            [tenantId],
          )
        ).rows.map((r) => ({
          authorizationId: r.authorization_id,
          platform: r.platform,
          name: r.name,
          region: r.region,
          status: r.status,
          accountId: r.account_id,
          clientIdHint: r.client_id_hint,
          renewBy: r.renew_by?.toISOString() ?? null,
          lastFailure: r.last_failure,
          countryCode: r.country_code,
        })),
    },

    products: {
      list: async (opts: { q?: string; status?: string; after?: string | null; limit: number }): Promise<Page<ProductRow>> => {
        const { rows } = await db.query(
          `SELECT * FROM rm_products
            WHERE tenant_id = $1
              AND ($2::text IS NULL OR sku ILIKE $2 OR name ILIKE $2 OR barcode = $5)
              AND ($3::text IS NULL OR status = $3)
              AND ($4::text IS NULL OR sku > $4)
            ORDER BY sku COLLATE "C" LIMIT $6`,
          [tenantId, opts.q ? likeEscape(opts.q) : null, opts.status ?? null, after(productCursor, opts.after), opts.q ?? null, opts.limit + 1],
        );
        return page(rows.map(toProduct), opts.limit, productCursor, (p) => p.sku);
      },
      get: async (sku: string) =>
        (await db.query('SELECT * FROM rm_products WHERE tenant_id = $1 AND sku = $2', [tenantId, sku])).rows.map(toProduct)[0] ?? null,
      /** The tenant's SKUs that have each of these look-alike keys (code order); keys without one are absent. */
      lookalikes: async (keys: readonly string[]): Promise<Map<string, string[]>> => {
        const { rows } = await db.query<{ sku_key: string; sku: string }>(
          `SELECT sku_key, sku FROM rm_products WHERE tenant_id = $1 AND sku_key = ANY($2::text[]) ORDER BY sku COLLATE "C"`,
          [tenantId, [...keys]],
        );
        const byKey = new Map<string, string[]>();
        for (const r of rows) byKey.set(r.sku_key, [...(byKey.get(r.sku_key) ?? []), r.sku]);
        return byKey;
      },
      /** Facts of these SKUs for mapping decisions (missing = unknown to this tenant). */
      facts: async (skus: readonly string[]): Promise<SkuLookup> => {
        const { rows } = await db.query<{ sku: string; status: string }>(
          'SELECT sku, status FROM rm_products WHERE tenant_id = $1 AND sku = ANY($2::text[])',
          [tenantId, [...skus]],
        );
        return new Map(rows.map((r) => [r.sku, { tenantId, retired: r.status === 'retired' }]));
      },
    },

    mappings: {
      list: async (storeId: string, opts: { q?: string; sku?: string; after?: string | null; limit: number }): Promise<Page<MappingRow>> => {
        const { rows } = await db.query(
          `SELECT * FROM rm_mappings
            WHERE tenant_id = $1 AND store_id = $2 AND NOT removed
              AND ($3::text IS NULL OR platform_sku ILIKE $3)
              AND ($4::jsonb IS NULL OR components @> $4::jsonb)
              AND ($5::text IS NULL OR platform_sku > $5)
            ORDER BY platform_sku COLLATE "C" LIMIT $6`,
          [tenantId, storeId, opts.q ? likeEscape(opts.q) : null, opts.sku ? JSON.stringify([{ sku: opts.sku }]) : null, after(mappingCursor, opts.after), opts.limit + 1],
        );
        return page(rows.map(toMapping), opts.limit, mappingCursor, (m) => m.platformSku);
      },
      /** Mappings in force for a store, plus each stream's revision (tombstones included). */
      current: async (storeId: string): Promise<{ lookup: MappingLookup; streams: Map<string, { revision: number; version: number }> }> => {
        const { rows } = await db.query<{ platform_sku: string; components: MappingComponent[]; version: number; revision: number; removed: boolean }>(
          'SELECT platform_sku, components, version, revision, removed FROM rm_mappings WHERE tenant_id = $1 AND store_id = $2',
          [tenantId, storeId],
        );
        const lookup = new Map<string, { version: number; components: MappingComponent[] }>();
        const streams = new Map<string, { revision: number; version: number }>();
        for (const r of rows) {
          streams.set(r.platform_sku, { revision: r.revision, version: r.version });
          if (!r.removed) lookup.set(r.platform_sku, { version: r.version, components: r.components });
        }
        return { lookup, streams };
      },
      /** Every mapping of the tenant that uses this system SKU. */
      usingSku: async (sku: string) =>
        (
          await db.query<{ store_id: string; platform_sku: string; version: number; components: MappingComponent[] }>(
            `SELECT store_id, platform_sku, version, components FROM rm_mappings
              WHERE tenant_id = $1 AND NOT removed AND components @> $2::jsonb ORDER BY store_id, platform_sku`,
            [tenantId, JSON.stringify([{ sku }])],
          )
        ).rows.map((r) => ({ storeId: r.store_id, platformSku: r.platform_sku, version: r.version, components: r.components })),
    },
  }),
});
