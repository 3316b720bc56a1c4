import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { GroupOutcome, PullOutcome } from '../../application/pulls.js';
import { retryDelayMs } from '../../domain/pull/window.js';
import { backoffDelay, sleep, waitForWakeOrTimeout } from '../shared/timers.js';
import type { ClaimedGroup, ScheduleStore } from './scheduleStore.js';

export type PullSchedulerOptions = Readonly<{
  schedule: ScheduleStore;
  /** Pulls the claimed stores of one group together; an outcome per store. */
  pullGroup: (stores: ClaimedGroup['stores'], signal: AbortSignal) => Promise<GroupOutcome>;
  log: Logger;
  intervalMinutes: number;
  /** How many pull groups (an Amazon authorization, a Walmart store) this instance pulls at once. */
  concurrency?: number;
  /** Claim lease; renewed while a pull runs, expires if this instance dies. */
  leaseMs?: number;
  /** How often to look for due stores when nothing wakes the loop. */
  pollMs?: number;
  onPull?: (storeId: string, outcome: PullOutcome, durationMs: number) => void;
}>;

/**
 * Claims pull groups with a due store (FOR UPDATE SKIP LOCKED + lease) and pulls each group's
 * stores together, `concurrency` groups at a time. Any number of instances can run this: a store is
 * never pulled by two at once. Each store keeps its own outcome, back-off and failure state.
 */
export const pullScheduler = (opts: PullSchedulerOptions) => {
  const holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const concurrency = opts.concurrency ?? 4;
  const leaseMs = opts.leaseMs ?? 120_000;
  const pollMs = opts.pollMs ?? 2_000;
  const intervalMs = opts.intervalMinutes * 60_000;
  const controller = new AbortController();
  const running = new Map<string, { stores: readonly string[]; done: Promise<void> }>();
  let wake: (() => void) | null = null;
  let loop: Promise<void> | null = null;

  /**
   * Give the store back. When the database is away (restarting), keep trying with back-off: left
   * claimed, the store would wait for the whole lease before anyone pulls it again, manual syncs
   * included. After the lease, trying is pointless (the claim has lapsed anyway).
   */
  const release = async (storeId: string, outcome: Parameters<ScheduleStore['release']>[2]) => {
    const lapses = Date.now() + leaseMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await opts.schedule.release(holder, storeId, outcome);
        return;
      } catch (error) {
        const delay = backoffDelay(attempt, 250, 5_000);
        if (controller.signal.aborted || Date.now() + delay > lapses) throw error;
        if (attempt === 1) opts.log.warn({ storeId, err: error }, 'could not release the store; retrying');
        await sleep(delay, controller.signal);
      }
    }
  };

  const runGroup = async (claimed: ClaimedGroup) => {
    const started = Date.now();
    const storeIds = claimed.stores.map((s) => s.storeId);
    const renew = setInterval(() => {
      for (const storeId of storeIds) void opts.schedule.renew(holder, storeId, leaseMs).catch(() => undefined);
    }, leaseMs / 3);
    try {
      let outcomes: GroupOutcome;
      try {
        outcomes = await opts.pullGroup(claimed.stores, controller.signal);
      } catch (error) {
        opts.log.error({ group: claimed.group, storeIds, err: error }, 'pull crashed; will retry');
        await Promise.all(storeIds.map((storeId) => release(storeId, { ok: false, error: 'internal_error', retryInMs: 60_000 }).catch(() => undefined)));
        return;
      }
      await Promise.all(
        storeIds.map(async (storeId) => {
          const outcome: PullOutcome = outcomes[storeId] ?? { ok: false, pullId: null, reason: 'internal_error', retryable: true };
          try {
            opts.onPull?.(storeId, outcome, Date.now() - started);
            const row = await opts.schedule.get(storeId);
            await release(
              storeId,
              outcome.ok ? { ok: true, nextInMs: intervalMs } : { ok: false, error: outcome.reason, retryInMs: retryDelayMs((row?.failures ?? 0) + 1, opts.intervalMinutes) },
            );
            if (!outcome.ok) opts.log.warn({ storeId, reason: outcome.reason }, 'pull failed; will retry');
          } catch (error) {
            opts.log.error({ storeId, err: error }, 'could not record the pull outcome; will retry');
            await release(storeId, { ok: false, error: 'internal_error', retryInMs: 60_000 }).catch(() => undefined);
          }
        }),
      );
    } finally {
      clearInterval(renew);
    }
  };

  const tick = async () => {
    const free = concurrency - running.size;
    if (free <= 0) return;
    for (const claimed of await opts.schedule.claimDue(holder, free, leaseMs, intervalMs / 2)) {
      const key = `${claimed.group}/${randomBytes(3).toString('hex')}`;
      const done = runGroup(claimed).finally(() => {
        running.delete(key);
        wake?.();
      });
      running.set(key, { stores: claimed.stores.map((s) => s.storeId), done });
    }
  };

  return {
    holder,
    start: () => {
      loop ??= (async () => {
        while (!controller.signal.aborted) {
          try {
            await tick();
          } catch (error) {
            opts.log.warn({ err: error }, 'scheduler could not claim stores; retrying');
            await sleep(pollMs, controller.signal);
          }
          await waitForWakeOrTimeout(pollMs, controller.signal, (fn) => (wake = fn));
          wake = null;
        }
      })();
    },
    /** Look for due stores now (a manual sync was requested). */
    wake: () => wake?.(),
    stop: async () => {
      controller.abort();
      await loop;
      await Promise.allSettled([...running.values()].map((r) => r.done));
    },
    runningStores: () => [...running.values()].flatMap((r) => r.stores),
  };
};

export type PullScheduler = ReturnType<typeof pullScheduler>;
