import { deepFreeze } from '../shared/freeze.js';
import { createSortedIndex, type SortedIndex } from '../shared/sortedIndex.js';
import type { WalmartMarket, WalmartOrder } from './types.js';

/**
 * A purchase order as the sandbox keeps it. Walmart's payload has no "last modified" field, yet
 * `lastModifiedStartDate` filters on it, so the sandbox tracks it beside the order.
 */
export type WalmartOrderRecord = Readonly<{ partnerId: string; order: WalmartOrder; lastModified: number; /** Default us. */ market?: WalmartMarket }>;

export type WalmartOrderStore = Readonly<{
  put: (record: WalmartOrderRecord) => void;
  load: (records: readonly WalmartOrderRecord[]) => void;
  get: (purchaseOrderId: string) => WalmartOrderRecord | undefined;
  has: (purchaseOrderId: string) => boolean;
  /** A seller's orders by orderDate, which never changes, so the index only grows. */
  byOrderDate: (partnerId: string) => SortedIndex;
  all: () => readonly WalmartOrderRecord[];
  size: () => number;
}>;

export const createWalmartOrderStore = (): WalmartOrderStore => {
  const records = new Map<string, WalmartOrderRecord>();
  const indexes = new Map<string, SortedIndex>();
  const byOrderDate = (partnerId: string): SortedIndex => {
    const existing = indexes.get(partnerId);
    if (existing !== undefined) return existing;
    const created = createSortedIndex();
    indexes.set(partnerId, created);
    return created;
  };
  return {
    put: (record) => {
      const id = record.order.purchaseOrderId;
      const previous = records.get(id);
      if (previous !== undefined && (previous.partnerId !== record.partnerId || previous.order.orderDate !== record.order.orderDate)) {
        byOrderDate(previous.partnerId).remove(previous.order.orderDate, id);
        byOrderDate(record.partnerId).insert(record.order.orderDate, id);
      } else if (previous === undefined) {
        byOrderDate(record.partnerId).insert(record.order.orderDate, id);
      }
      records.set(id, deepFreeze(record));
    },
    load: (batch) => {
      const fresh = new Map<string, { ms: number; id: string }[]>();
      for (const record of batch) {
        const id = record.order.purchaseOrderId;
        if (records.has(id)) throw new Error(`Purchase order ${id} already exists`);
        records.set(id, deepFreeze(record));
        const group = fresh.get(record.partnerId);
        const entry = { ms: record.order.orderDate, id };
        if (group === undefined) fresh.set(record.partnerId, [entry]);
        else group.push(entry);
      }
      for (const [partnerId, entries] of fresh) byOrderDate(partnerId).load(entries);
    },
    get: (id) => records.get(id),
    has: (id) => records.has(id),
    byOrderDate,
    all: () => [...records.values()],
    size: () => records.size,
  };
};
