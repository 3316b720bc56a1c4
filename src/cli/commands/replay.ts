import { z } from 'zod';
import type { CliContext } from '../context.js';
import { validSchemaName } from '../context.js';
import { CliFailure, count, duration, line, table, UsageError, type CliIo } from '../io.js';
import { progress, type Progress } from '../progress.js';
import { replayUntil, type ReplayReport } from '../replay.js';

const IsoTime = z.iso.datetime({ offset: true });

/** `--until`: an ISO 8601 time with its zone (Z or ±hh:mm), never a machine-local guess. */
export const parseUntil = (value: string | undefined): Date => {
  if (value === undefined) throw new UsageError('replay needs --until <ISO time>, e.g. --until 2026-11-23T14:30:00Z', 'replay');
  if (!IsoTime.safeParse(value).success) {
    throw new UsageError(`--until: expected an ISO 8601 time with a zone, e.g. 2026-11-23T14:30:00Z (got ${JSON.stringify(value)})`, 'replay');
  }
  return new Date(value);
};

/** replay_YYYYMMDD_HHMMSS of the --until time (UTC), lower case so it needs no quoting. */
export const defaultSchemaName = (until: Date) => {
  const iso = until.toISOString();
  return `replay_${iso.slice(0, 10).replace(/-/g, '')}_${iso.slice(11, 19).replace(/:/g, '')}`;
};

export const parseSchema = (value: string | undefined, until: Date): string => {
  if (value === undefined) return defaultSchemaName(until);
  if (!validSchemaName(value)) throw new UsageError(`--schema: expected a plain schema name (letters, digits, _; not pg_…), got ${JSON.stringify(value)}`, 'replay');
  return value;
};

const printReport = (io: CliIo, r: ReplayReport) => {
  const out = io.stdout;
  line(out, `Replayed ${count(r.eventsReplayed)} events recorded at or before ${r.until} into schema ${r.schema}`);
  line(out, `(${count(r.eventsScanned)} events read in ${duration(r.durationMs)}; last event replayed ${r.lastEventAt ?? '—'})`);
  line(out);
  line(out, 'Read models');
  for (const l of table([['table', 'rows'], ...Object.entries(r.tables).map(([t, n]) => [t, count(n)])])) line(out, l);
  line(out);
  line(out, 'Orders by hand-off state');
  const states = Object.entries(r.ordersByHandoff);
  if (states.length === 0) line(out, '  (no orders)');
  for (const l of table(states.map(([s, n]) => [s, count(n)]))) line(out, l);
  line(out);
  line(out, 'Projections');
  for (const l of table(r.projections.map((p) => [p.name, `v${p.version}`, `${count(p.events)} events`, p.failed ? 'FAILED' : 'ok']))) line(out, l);
  for (const p of r.projections) {
    if (!p.failed) continue;
    const e = p.failed.event;
    line(out, `  ${p.name} stopped at ${e.streamId}#${e.revision} (${e.type}, event ${e.id}): ${p.failed.error}`);
  }
  line(out);
  line(out, `Query it with: SET search_path TO ${r.schema};`);
};

/** `oms replay --until <ISO time> [--schema <name>] [--json]`. */
export const replayCommand = async (ctx: CliContext, io: CliIo, args: { until: Date; schema: string; json: boolean }): Promise<void> => {
  const total = await ctx.store.countAfter(null, 1_000_000_000);
  let bar: Progress | null = null;
  let scanned = 0;
  const report = await replayUntil({
    db: ctx.db,
    store: ctx.store,
    projections: ctx.projections,
    schema: args.schema,
    until: args.until,
    ...(io.signal ? { signal: io.signal } : {}),
    onStart: () => {
      line(io.stderr, `replay: schema ${args.schema} created and migrated; reading events up to ${args.until.toISOString()}`);
      bar = progress(io.stderr, { label: 'replay', total });
      if (total !== 0) bar.update(0);
    },
    onProgress: (n) => {
      scanned = n;
      bar?.update(n);
    },
  });
  (bar as Progress | null)?.finish(scanned, `${count(report.eventsReplayed)} replayed`);
  if (args.json) line(io.stdout, JSON.stringify(report, null, 2));
  else printReport(io, report);
  const failed = report.projections.filter((p) => p.failed).map((p) => p.name);
  if (failed.length) throw new CliFailure(`projection${failed.length > 1 ? 's' : ''} ${failed.join(', ')} could not apply every event (see above); schema ${report.schema} is incomplete`);
};
