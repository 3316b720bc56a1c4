import type { FeedMessage } from '../warehouse/feedMessage.js';
import type { WarehouseMessageRejected } from '../warehouse/warehouseRejection.js';
import type { Page } from './cursors.js';

/** A page of the warehouse feed read on demand (the same messages as the Kafka topic, in order). */
export type FeedPage = Readonly<{
  messages: FeedMessage[];
  /** Where to continue (pass as `after`); null only while the feed has no position yet (nothing read). */
  nextCursor: string | null;
  /** Everything readable now was read: poll again later with nextCursor. */
  caughtUp: boolean;
}>;

/**
 * The warehouse feed for one tenant, read with a cursor (GET /v1/warehouse/feed). A cursor not
 * issued to this tenant throws InvalidCursorError (ports/cursors.ts). Adapter: adapters/feed/httpFeed.ts.
 */
export interface WarehouseFeedReader {
  read(tenantId: string, after: string | null, limit: number): Promise<FeedPage>;
}

export type RejectedWarehouseMessage = WarehouseMessageRejected['data'] & Readonly<{ revision: number }>;

/**
 * The warehouse messages a tenant's Kafka consumer had to reject, latest first, paged with an opaque
 * cursor (`after`: the previous page's nextCursor; one not issued here throws InvalidCursorError).
 * Adapter: adapters/readModels/warehouseRejections.ts.
 */
export interface WarehouseRejections {
  list(tenantId: string, page: Readonly<{ after: string | null; limit: number }>): Promise<Page<RejectedWarehouseMessage>>;
}
