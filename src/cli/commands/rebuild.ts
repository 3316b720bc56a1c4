import { projectionRunner } from '../../adapters/projections/projectionRunner.js';
import { sleep } from '../../adapters/shared/timers.js';
import type { CliContext } from '../context.js';
import { CliFailure, count, line, type CliIo } from '../io.js';
import { progress } from '../progress.js';

export type RebuildOptions = Readonly<{
  /** How often progress is read from the checkpoint row. */
  pollMs?: number;
  /** Give up when no event was applied for this long. */
  stallMs?: number;
}>;

/**
 * `oms rebuild <projection>`: the projection runner's own rebuild (empty the tables, checkpoint back
 * to the start) run in this process until the projection has caught up with everything readable.
 * A running service is safe meanwhile: its runner sees the reset checkpoint and starts over too, and
 * the checkpoint compare-and-set lets only one of them apply each batch.
 */
export const rebuildCommand = async (ctx: CliContext, io: CliIo, name: string, opts: RebuildOptions = {}): Promise<void> => {
  const p = ctx.projections.find((x) => x.name === name);
  if (!p) throw new Error(`unknown projection ${name}`); // run() checks the name first (usage error)
  const pollMs = opts.pollMs ?? 250;
  const stallMs = opts.stallMs ?? 120_000;
  const runner = projectionRunner({ db: ctx.db, store: ctx.store, projections: ctx.projections, log: ctx.log.child({ component: 'projections' }) });
  try {
    await ctx.store.awaitVisible(io.signal);
    const total = await ctx.store.countAfter(null, 1_000_000_000, p.filter);
    line(io.stderr, `rebuild ${name}: emptying ${p.tables.length ? p.tables.join(', ') : '(no owned tables)'} and replaying ${total === null ? 'all' : count(total)} events`);
    await runner.rebuild(name);
    const bar = progress(io.stderr, { label: `rebuild ${name}`, total });
    let processed = 0;
    let lastMove = Date.now();
    for (;;) {
      if (io.signal?.aborted) throw new CliFailure(`interrupted: ${name} is rebuilding from where it got to; the service's runner continues it`);
      const s = (await runner.status()).find((x) => x.name === name)!;
      if (s.eventsProcessed !== processed) lastMove = Date.now();
      processed = s.eventsProcessed;
      bar.update(processed);
      if (s.status === 'failed') {
        const e = s.failedEvent;
        bar.finish(processed, 'failed');
        throw new CliFailure(`projection ${name} stopped at ${e ? `${e.streamId}#${e.revision} (${e.type}, event ${e.id})` : 'an event'}: ${s.error ?? 'unknown error'}`);
      }
      if (s.eventsBehind === 0 || (s.eventsBehind === null && s.lagMs === 0)) break;
      if (Date.now() - lastMove > stallMs) throw new CliFailure(`projection ${name} applied nothing for ${Math.round(stallMs / 1000)} s (see the log); it stays reset`);
      await sleep(pollMs, io.signal);
    }
    // The runner's own check: every matching event readable now is applied.
    await runner.caughtUp([name]);
    const final = (await runner.status()).find((x) => x.name === name)!;
    bar.finish(final.eventsProcessed, 'caught up');
    line(io.stdout, `projection ${name} rebuilt: ${count(final.eventsProcessed)} events applied, caught up`);
  } finally {
    await runner.stop();
  }
};
