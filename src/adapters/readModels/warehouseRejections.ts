import { z } from 'zod';
import type { EventStore } from '../../domain/ports/eventStore.js';
import type { RejectedWarehouseMessage, WarehouseRejections } from '../../domain/ports/warehouseFeed.js';
import { decodeWith } from '../../domain/shared/commandHandler.js';
import { warehouseRejectionStreamId, WarehouseMessageRejected } from '../../domain/warehouse/warehouseRejection.js';
import { listCursor } from '../shared/cursorCodec.js';

const decode = decodeWith(WarehouseMessageRejected);

/** The revision the next page ends below (a list cursor: adapters/shared/cursorCodec.ts). */
const revisionCursor = listCursor('warehouse-rejections', z.number().int().min(1));

/**
 * A tenant's rejected warehouse messages, latest first, read from its rejection stream. The cursor
 * holds the revision to continue below. Rejections are rare (a healthy WMS sends none), so the stream
 * is read from the page's start backwards in one bounded read.
 */
export const rejectedWarehouseMessages = async (
  store: EventStore,
  tenantId: string,
  page: Readonly<{ after: string | null; limit: number }>,
): Promise<{ items: RejectedWarehouseMessage[]; nextCursor: string | null }> => {
  const streamId = warehouseRejectionStreamId(tenantId);
  let end = page.after === null ? null : revisionCursor.decode(page.after);
  if (end === null) {
    const all = await store.readStream(streamId);
    end = all.length;
  }
  const from = Math.max(0, end - page.limit);
  const events = end > 0 ? await store.readStream(streamId, { fromRevision: from, maxCount: end - from }) : [];
  const items = events
    .map((e) => ({ ...decode(e).data, revision: e.revision }))
    .reverse();
  return { items, nextCursor: from > 0 ? revisionCursor.encode(from) : null };
};

/** The port (domain/ports/warehouseFeed.ts) over the event store. */
export const warehouseRejections = (store: EventStore): WarehouseRejections => ({
  list: (tenantId, page) => rejectedWarehouseMessages(store, tenantId, page),
});
