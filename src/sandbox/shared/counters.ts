import type { FaultKind } from '../faults.js';

/** One served request, as tests see it when asserting rate and back-off behaviour. */
export type RequestLogEntry<Route extends string> = Readonly<{
  route: Route | 'unmatched';
  method: string;
  path: string;
  status: number;
  /** Wall-clock receive time in ms (not the sandbox clock): back-off is real elapsed time. */
  at: number;
  fault?: FaultKind;
}>;

export type RequestCounters<Route extends string> = Readonly<{
  /** Requests received for a route (all routes when omitted), including faulted ones. */
  count: (route?: Route | 'unmatched') => number;
  /** Responses per status code for a route (all routes when omitted). */
  byStatus: (route?: Route | 'unmatched') => Readonly<Record<number, number>>;
  log: () => readonly RequestLogEntry<Route>[];
  reset: () => void;
  record: (entry: RequestLogEntry<Route>) => void;
}>;

/** The log is capped so a long-running dev sandbox does not grow without bound. */
const LOG_LIMIT = 50_000;

export const createRequestCounters = <Route extends string>(): RequestCounters<Route> => {
  const totals = new Map<string, number>();
  const statuses = new Map<string, Map<number, number>>();
  let entries: RequestLogEntry<Route>[] = [];

  const statusTable = (route: string): Map<number, number> => {
    const existing = statuses.get(route);
    if (existing !== undefined) return existing;
    const created = new Map<number, number>();
    statuses.set(route, created);
    return created;
  };

  return {
    count: (route) =>
      route === undefined ? [...totals.values()].reduce((a, b) => a + b, 0) : (totals.get(route) ?? 0),
    byStatus: (route) => {
      const out: Record<number, number> = {};
      for (const [name, table] of statuses) {
        if (route !== undefined && name !== route) continue;
        for (const [status, n] of table) out[status] = (out[status] ?? 0) + n;
      }
      return out;
    },
    log: () => entries,
    reset: () => {
      totals.clear();
      statuses.clear();
      entries = [];
    },
    record: (entry) => {
      totals.set(entry.route, (totals.get(entry.route) ?? 0) + 1);
      const table = statusTable(entry.route);
      table.set(entry.status, (table.get(entry.status) ?? 0) + 1);
      entries.push(entry);
      if (entries.length > LOG_LIMIT) entries = entries.slice(-LOG_LIMIT / 2);
    },
  };
};
