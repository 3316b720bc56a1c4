import { BuyerDataErased } from '../domain/order/fulfillmentEvents.js';
import { terminalCutoff } from '../domain/order/retention.js';
import type { EventStore } from '../domain/ports/eventStore.js';
import type { Clock } from '../domain/ports/ids.js';
import type { Vault } from '../domain/ports/vault.js';
import { decodeWith } from '../domain/shared/commandHandler.js';
import { ConcurrencyError } from '../domain/shared/errors.js';
import type { DueErasure, RetentionStore } from '../domain/ports/retentionDue.js';
import { nameUuid } from './ids.js';
import { orderStreamId } from '../domain/order/streams.js';

export type RetentionDeps = Readonly<{
  store: EventStore;
  vault: Vault;
  clock: Clock;
  due: RetentionStore;
  retentionDays: number;
  /** Orders claimed at a time, and at most this many batches per run (a run stays bounded). */
  batchSize?: number;
  maxBatches?: number;
  /** How long a claim holds if this instance dies mid-batch. */
  leaseMs?: number;
  onErased?: (count: number) => void;
}>;

export type RetentionRun = Readonly<{ erased: number; skipped: number; failed: number }>;

/**
 * Buyer-data retention (docs/retention.md): orders terminal for `retentionDays` get their buyer
 * data key shredded in the vault and a BuyerDataErased on their stream. Safe with several instances
 * and idempotent: claims keep instances apart, and the event is appended at the stream's expected
 * revision after checking none is there — a second attempt (a lapsed claim, a crash between the
 * shredding and the event) finds it or shreds again (harmless) and appends once.
 */
export const retentionService = (deps: RetentionDeps) => {
  const batchSize = deps.batchSize ?? 200;
  const maxBatches = deps.maxBatches ?? 10;
  const leaseMs = deps.leaseMs ?? 5 * 60_000;
  const now = () => deps.clock.now().toISOString();

  /** True when this call erased it, false when it was erased already. */
  const eraseOne = async (order: DueErasure): Promise<boolean> => {
    const streamId = orderStreamId(order.orderId);
    for (let attempt = 0; attempt < 5; attempt++) {
      const events = await deps.store.readStream(streamId);
      const earlier = events.find((e) => e.type === 'BuyerDataErased');
      if (earlier) {
        await deps.due.markErased(order.orderId, decodeWith(BuyerDataErased)(earlier).data.erasedAt);
        return false;
      }
      // The key first: if we die before the event, the next run shreds again (a no-op) and records it.
      await deps.vault.destroyOwner(streamId);
      const event = BuyerDataErased.parse({
        type: 'BuyerDataErased',
        schemaVersion: 1,
        data: {
          orderId: order.orderId,
          tenantId: order.tenantId,
          storeId: order.storeId,
          trigger: order.trigger,
          terminalAt: order.terminalAt,
          retentionDays: deps.retentionDays,
          erasedAt: now(),
        },
      });
      try {
        await deps.store.append(
          streamId,
          [{ id: nameUuid(`buyer-data-erased/${order.orderId}`), type: event.type, data: event.data, metadata: { actor: 'system:retention', correlationId: order.orderId, schemaVersion: 1 } }],
          events.length - 1,
        );
        await deps.due.markErased(order.orderId, event.data.erasedAt);
        return true;
      } catch (error) {
        // Something was appended meanwhile (a pull, a decision, another instance's erasure): look again.
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
    throw new Error(`order ${order.orderId}: its stream kept changing while its buyer data was erased`);
  };

  return {
    /** One run at `holder`: the due orders, in bounded batches. */
    runOnce: async (holder: string): Promise<RetentionRun> => {
      const at = now();
      const cutoff = terminalCutoff(at, deps.retentionDays);
      let erased = 0;
      let skipped = 0;
      let failed = 0;
      let lastError: string | null = null;
      for (let batch = 0; batch < maxBatches; batch++) {
        const claimed = await deps.due.claimDue(holder, cutoff, now(), batchSize, leaseMs);
        for (const order of claimed) {
          try {
            if (await eraseOne(order)) erased++;
            else skipped++;
          } catch (error) {
            failed++;
            lastError = error instanceof Error ? error.message.slice(0, 300) : String(error);
            await deps.due.release(holder, order.orderId);
          }
        }
        if (claimed.length < batchSize) break;
      }
      if (erased) deps.onErased?.(erased);
      await deps.due.recordRun(at, erased, lastError);
      return { erased, skipped, failed };
    },
    counts: () => deps.due.counts(terminalCutoff(now(), deps.retentionDays)),
  };
};

export type RetentionService = ReturnType<typeof retentionService>;
