import { toMillis } from '../shared/clock.js';
import { deepFreeze } from '../shared/freeze.js';
import { createSortedIndex, type SortedIndex } from '../shared/sortedIndex.js';
import type { Region } from './marketplaces.js';
import type { AmazonOrder } from './types.js';

/** An order as the sandbox keeps it (deep-frozen): the full payload plus whose it is. */
export type AmazonOrderRecord = Readonly<{
  sellerId: string;
  region: Region;
  order: AmazonOrder;
}>;

export type AccountIndexes = Readonly<{ byCreated: SortedIndex; byUpdated: SortedIndex }>;

export type AmazonOrderStore = Readonly<{
  /** Inserts or replaces an order, keeping both time indexes in step. */
  put: (record: AmazonOrderRecord) => void;
  load: (records: readonly AmazonOrderRecord[]) => void;
  get: (orderId: string) => AmazonOrderRecord | undefined;
  has: (orderId: string) => boolean;
  /** Indexes of one seller account in one region: the scope of an authorization. */
  indexes: (sellerId: string, region: Region) => AccountIndexes;
  all: () => readonly AmazonOrderRecord[];
  size: () => number;
}>;

const createdMs = (order: AmazonOrder) => toMillis(order.createdTime);
const updatedMs = (order: AmazonOrder) => toMillis(order.lastUpdatedTime);

export const createAmazonOrderStore = (): AmazonOrderStore => {
  const records = new Map<string, AmazonOrderRecord>();
  const accounts = new Map<string, AccountIndexes>();

  const indexes = (sellerId: string, region: Region): AccountIndexes => {
    const key = `${sellerId}/${region}`;
    const existing = accounts.get(key);
    if (existing !== undefined) return existing;
    const created = { byCreated: createSortedIndex(), byUpdated: createSortedIndex() };
    accounts.set(key, created);
    return created;
  };

  const put = (record: AmazonOrderRecord): void => {
    const id = record.order.orderId;
    const previous = records.get(id);
    if (previous !== undefined) {
      const old = indexes(previous.sellerId, previous.region);
      old.byCreated.remove(createdMs(previous.order), id);
      old.byUpdated.remove(updatedMs(previous.order), id);
    }
    records.set(id, deepFreeze(record));
    const current = indexes(record.sellerId, record.region);
    current.byCreated.insert(createdMs(record.order), id);
    current.byUpdated.insert(updatedMs(record.order), id);
  };

  return {
    put,
    load: (batch) => {
      const fresh = batch.filter((record) => !records.has(record.order.orderId));
      for (const record of batch) if (records.has(record.order.orderId)) put(record);
      const byAccount = new Map<string, AmazonOrderRecord[]>();
      for (const record of fresh) {
        records.set(record.order.orderId, deepFreeze(record));
        const key = `${record.sellerId}/${record.region}`;
        const group = byAccount.get(key);
        if (group === undefined) byAccount.set(key, [record]);
        else group.push(record);
      }
      for (const group of byAccount.values()) {
        const first = group[0] as AmazonOrderRecord;
        const target = indexes(first.sellerId, first.region);
        target.byCreated.load(group.map((r) => ({ ms: createdMs(r.order), id: r.order.orderId })));
        target.byUpdated.load(group.map((r) => ({ ms: updatedMs(r.order), id: r.order.orderId })));
      }
    },
    get: (orderId) => records.get(orderId),
    has: (orderId) => records.has(orderId),
    indexes,
    all: () => [...records.values()],
    size: () => records.size,
  };
};
