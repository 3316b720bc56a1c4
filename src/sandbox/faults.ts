import { createRandom } from './shared/random.js';

/**
 * Failure modes a sandbox can play on demand, so the product's clients can be tested against the
 * ways real marketplaces misbehave. Each marketplace renders a kind in its own wire format.
 */
export const FAULT_KINDS = [
  'throttle', // 429 with the marketplace's throttling headers and body
  'serverError', // 5xx (status 500 by default; 502/503/504 accepted)
  'delay', // a slow but otherwise normal response
  'malformedJson', // 200 whose body is not valid JSON
  'truncatedJson', // 200 whose JSON stops half-way (HTTP framing intact)
  'connectionReset', // headers promise a full body, the socket closes half-way
  'expiredToken', // the marketplace's answer to an expired access token
  'invalidToken', // the answer to an unknown / revoked / malformed token
  'sandboxKey', // credentials rejected the way production rejects sandbox keys
  'missingScope', // a valid token that lacks the permission for this call
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type Fault = Readonly<{
  kind: FaultKind;
  /** For serverError: the status to answer with. */
  status?: number;
  /** Delay before answering; works with any kind. */
  delayMs?: number;
  /** For throttle: also send Retry-After (neither marketplace documents it; off by default). */
  retryAfterSeconds?: number;
}>;

/**
 * What callers write. `kind` may be left out for the shorthands `{ status: 429 }` (throttle),
 * `{ status: 5xx }` (serverError) and `{ delayMs }` (delay).
 */
export type FaultSpec<Route extends string> = Readonly<{
  kind?: FaultKind;
  status?: number;
  delayMs?: number;
  retryAfterSeconds?: number;
  /** Only requests to these routes are affected; default all routes. */
  route?: Route | readonly Route[];
}>;

export type FaultRule<Route extends string> = FaultSpec<Route> & Readonly<{ probability: number }>;

export type FaultRegistry<Route extends string> = Readonly<{
  /**
   * Queue a fault for the next `count` (default 1) matching requests, after letting `after` (default 0)
   * of them through — e.g. the second page of a search. Queued faults apply first-in first-out.
   */
  next: (spec: FaultSpec<Route> & Readonly<{ count?: number; after?: number }>) => void;
  /** A standing rule that fires with `probability` per matching request, drawn from a seeded generator. */
  rule: (rule: FaultRule<Route>) => Readonly<{ remove: () => void }>;
  clear: () => void;
  /** Queued faults not yet consumed (rules not counted). */
  pending: () => number;
  /** Consumes and returns the fault for a request to `route`, if any. Used by the server. */
  take: (route: Route) => Fault | undefined;
}>;

export const normalizeFault = (spec: FaultSpec<string>): Fault => {
  const kind: FaultKind | undefined =
    spec.kind ??
    (spec.status === 429
      ? 'throttle'
      : spec.status !== undefined && spec.status >= 500
        ? 'serverError'
        : spec.status === undefined && spec.delayMs !== undefined
          ? 'delay'
          : undefined);
  if (kind === undefined) throw new Error(`Cannot tell which fault is meant by ${JSON.stringify(spec)}`);
  if (kind === 'serverError' && spec.status !== undefined && (spec.status < 500 || spec.status > 599)) {
    throw new Error(`serverError needs a 5xx status, got ${spec.status}`);
  }
  if (kind === 'delay' && spec.delayMs === undefined) throw new Error('delay needs delayMs');
  return {
    kind,
    ...(spec.status !== undefined ? { status: spec.status } : {}),
    ...(spec.delayMs !== undefined ? { delayMs: spec.delayMs } : {}),
    ...(spec.retryAfterSeconds !== undefined ? { retryAfterSeconds: spec.retryAfterSeconds } : {}),
  };
};

const matches = <Route extends string>(target: Route | readonly Route[] | undefined, route: Route): boolean =>
  target === undefined || (typeof target === 'string' ? target === route : target.includes(route));

export const createFaultRegistry = <Route extends string>(seed: string | number): FaultRegistry<Route> => {
  const random = createRandom(`faults/${seed}`);
  const queue: { fault: Fault; route: FaultSpec<Route>['route']; remaining: number; skip: number }[] = [];
  const rules = new Set<{ fault: Fault; route: FaultSpec<Route>['route']; probability: number }>();

  return {
    next: (spec) => {
      const count = spec.count ?? 1;
      const after = spec.after ?? 0;
      if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
      if (!Number.isInteger(after) || after < 0) throw new Error(`after must be a non-negative integer, got ${after}`);
      queue.push({ fault: normalizeFault(spec), route: spec.route, remaining: count, skip: after });
    },
    rule: (spec) => {
      if (!(spec.probability >= 0 && spec.probability <= 1)) throw new Error('probability must be within [0, 1]');
      const entry = { fault: normalizeFault(spec), route: spec.route, probability: spec.probability };
      rules.add(entry);
      return { remove: () => void rules.delete(entry) };
    },
    clear: () => {
      queue.length = 0;
      rules.clear();
    },
    pending: () => queue.reduce((sum, entry) => sum + entry.remaining, 0),
    take: (route) => {
      const index = queue.findIndex((entry) => matches(entry.route, route));
      const queued = queue[index];
      if (queued !== undefined && queued.skip > 0) {
        // Let this request through untouched; the standing rules do not apply to it either.
        queued.skip -= 1;
        return undefined;
      }
      if (queued !== undefined) {
        queued.remaining -= 1;
        if (queued.remaining === 0) queue.splice(index, 1);
        return queued.fault;
      }
      for (const rule of rules) {
        // One seeded stream for all rules: the same request sequence replays the same faults.
        if (matches(rule.route, route) && random.next() < rule.probability) return rule.fault;
      }
      return undefined;
    },
  };
};
