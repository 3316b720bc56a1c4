import type { EventStore } from '../domain/ports/eventStore.js';
import { pullStreamId } from '../domain/pull/events.js';

export type PullLogEntry = Readonly<{ type: string; at: string; data: Record<string, unknown> }>;

/** A store's latest pull events, newest first (GET /v1/stores/{id}/pulls). */
export const pullLog =
  (store: EventStore) =>
  async (storeId: string, limit: number): Promise<PullLogEntry[]> =>
    (await store.readStream(pullStreamId(storeId)))
      .slice(-limit)
      .reverse()
      .map((e) => ({ type: e.type, at: e.recordedAt, data: e.data as Record<string, unknown> }));
