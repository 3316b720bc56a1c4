import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { RetentionRun } from '../../application/retention.js';
import { waitForWakeOrTimeout } from '../shared/timers.js';

/**
 * Runs the retention job every `intervalMs` in this instance (all instances may: the due-list's
 * claims keep them apart). A failed run is logged and retried at the next interval.
 */
export const retentionJob = (opts: Readonly<{ runOnce: (holder: string) => Promise<RetentionRun>; intervalMs: number; log: Logger }>) => {
  const holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const controller = new AbortController();
  let loop: Promise<void> | null = null;
  return {
    holder,
    start: () => {
      loop ??= (async () => {
        while (!controller.signal.aborted) {
          try {
            const run = await opts.runOnce(holder);
            if (run.erased || run.failed) opts.log.info(run, 'buyer-data retention run');
          } catch (error) {
            opts.log.warn({ err: error }, 'buyer-data retention run failed; retrying at the next interval');
          }
          await waitForWakeOrTimeout(opts.intervalMs, controller.signal);
        }
      })();
    },
    stop: async () => {
      controller.abort();
      await loop;
    },
  };
};
