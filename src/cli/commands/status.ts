import { sqlLease } from '../../adapters/feed/lease.js';
import { kafkaFeedPublisher } from '../../adapters/kafka/feedPublisher.js';
import { kafkaPort } from '../../adapters/kafka/kafkaPort.js';
import { projectionRunner, type ProjectionStatus } from '../../adapters/projections/projectionRunner.js';
import { scheduleStore, type ScheduleRow } from '../../adapters/scheduler/scheduleStore.js';
import { retentionStore, type RetentionCounts } from '../../adapters/scheduler/retentionStore.js';
import { terminalCutoff } from '../../domain/order/retention.js';
import { warehouseFeedSource } from '../../application/warehouseFeed.js';
import type { Checkpoint } from '../../domain/ports/eventStore.js';
import { FAILING_AFTER } from '../../domain/pull/health.js';
import { RENEWAL_DUE_DAYS } from '../../domain/authorization/decider.js';
import type { Vault } from '../../domain/ports/vault.js';
import type { CliContext } from '../context.js';
import { marketplaceSyncQueries } from '../../adapters/readModels/marketplaceSyncQueries.js';
import { count, duration, errorMessage, line, table, type CliIo } from '../io.js';

/** Feeds and projections counted up to this many events behind (as the runner's status does). */
const BEHIND_CAP = 100_000;

/** The status never opens sealed data: a vault that refuses, so the feed source can be built for its filter. */
const refuse = () => Promise.reject(new Error('the CLI does not open the vault'));
const noVault: Vault = {
  seal: refuse,
  sealMany: refuse,
  open: refuse,
  storeSecret: refuse,
  readSecret: refuse,
  deleteSecret: refuse,
  destroyOwner: refuse,
};

export type FeedStatus =
  | Readonly<{
      kind: 'kafka';
      topic: string;
      checkpoint: string | null;
      eventsBehind: number | null;
      lagMs: number;
      lease: { holder: string; epoch: number; expiresAt: string; active: boolean } | null;
      broker: 'reachable' | 'unreachable' | 'not checked';
      brokerError: string | null;
    }>
  | Readonly<{ kind: 'http'; messages: number | null }>;

export type ScheduleStatus = Readonly<{
  activeStores: number;
  dueNow: number;
  /** Stores with at least one failure since their last success (retrying or failing). */
  failing: number;
  /** Of those, the ones in the `failing` state (FAILING_AFTER failures in a row). */
  stuck: number;
  nextRunAt: string | null;
  /** Stores due now or failing, soonest first (at most `limit`). */
  stores: ScheduleRow[];
}>;

/** Buyer-data retention (docs/retention.md): orders due, waiting and erased, the job's last run. */
export type RetentionStatus = RetentionCounts & Readonly<{ retentionDays: number }>;

/** What the marketplaces have heard (issue #15): released orders per confirmation state. */
export type MarketplaceSyncStatus = Readonly<{ byState: Record<string, number>; walmartUnacknowledgedNearDeadline: number }>;

export type StatusReport = Readonly<{ projections: ProjectionStatus[]; feed: FeedStatus; schedule: ScheduleStatus; retention: RetentionStatus; marketplaceSync?: MarketplaceSyncStatus; authorizations: AuthorizationsStatus }>;

/** Authorizations that need the seller: consent revoked (pulls stopped), or renewal within 30 days. */
export type AuthorizationsStatus = Readonly<{
  reauthorizationRequired: { authorizationId: string; tenantId: string; platform: string; name: string; reason: string | null; since: string }[];
  renewalDue: { authorizationId: string; tenantId: string; platform: string; name: string; renewBy: string }[];
}>;

const authorizationsStatus = async (ctx: CliContext, limit: number): Promise<AuthorizationsStatus> => {
  type Row = { authorization_id: string; tenant_id: string; platform: string; name: string; last_failure: string | null; updated_at: Date; renew_by: Date | null };
  const cols = 'authorization_id, tenant_id, platform, name, last_failure, updated_at, renew_by';
  const required = await ctx.db.query<Row>(
    `SELECT ${cols} FROM rm_authorizations WHERE status = 'reauthorization_required' ORDER BY updated_at, authorization_id LIMIT $1`,
    [limit],
  );
  const due = await ctx.db.query<Row>(
    `SELECT ${cols} FROM rm_authorizations WHERE status IN ('active', 'paused') AND renew_by <= now() + make_interval(days => $2)
      ORDER BY renew_by, authorization_id LIMIT $1`,
    [limit, RENEWAL_DUE_DAYS],
  );
  return {
    reauthorizationRequired: required.rows.map((r) => ({
      authorizationId: r.authorization_id, tenantId: r.tenant_id, platform: r.platform, name: r.name, reason: r.last_failure, since: r.updated_at.toISOString(),
    })),
    renewalDue: due.rows.map((r) => ({ authorizationId: r.authorization_id, tenantId: r.tenant_id, platform: r.platform, name: r.name, renewBy: r.renew_by!.toISOString() })),
  };
};

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });

const feedStatus = async (ctx: CliContext, probeBroker: boolean): Promise<FeedStatus> => {
  const source = warehouseFeedSource({ store: ctx.store, vault: noVault });
  const kafka = ctx.config.kafka;
  if (!kafka) return { kind: 'http', messages: await ctx.store.countAfter(null, 1_000_000_000, source.filter) };
  const log = ctx.log.child({ component: 'feed' });
  // Built only to read its status: never started, so it neither takes the lease nor connects.
  const publisher = kafkaFeedPublisher({ db: ctx.db, store: ctx.store, source, kafka, log });
  const s = await publisher.status();
  const lease = await sqlLease({ db: ctx.db, name: publisher.name, holder: publisher.holder, ttlMs: 1 }).current();
  let broker: 'reachable' | 'unreachable' | 'not checked' = 'not checked';
  let brokerError: string | null = null;
  if (probeBroker) {
    try {
      const client = kafkaPort({ kind: kafka.client, brokers: kafka.brokers, clientId: 'oms-cli', log: log.child({ component: 'kafka' }), requestTimeoutMs: 5000 });
      await withTimeout(client.probe(), 10_000, 'Kafka');
      broker = 'reachable';
    } catch (error) {
      broker = 'unreachable';
      brokerError = errorMessage(error).slice(0, 300);
    }
  }
  return {
    kind: 'kafka',
    topic: s.topic,
    checkpoint: s.checkpoint,
    eventsBehind: await ctx.store.countAfter(s.checkpoint as Checkpoint | null, BEHIND_CAP, source.filter),
    lagMs: s.lagMs,
    lease: lease ? { holder: lease.holder, epoch: lease.epoch, expiresAt: lease.expiresAt.toISOString(), active: lease.active } : null,
    broker,
    brokerError,
  };
};

const scheduleStatus = async (ctx: CliContext, limit: number): Promise<ScheduleStatus> => {
  const schedule = scheduleStore(ctx.db);
  const summary = (
    await ctx.db.query<{ active: number; due: number; failing: number; stuck: number; next_run_at: Date | null }>(
      `SELECT count(*)::int AS active,
              count(*) FILTER (WHERE next_run_at <= now())::int AS due,
              count(*) FILTER (WHERE failures > 0)::int AS failing,
              count(*) FILTER (WHERE failures >= $1)::int AS stuck,
              min(next_run_at) AS next_run_at
         FROM pull_schedule WHERE active`,
      [FAILING_AFTER],
    )
  ).rows[0]!;
  const ids = await ctx.db.query<{ store_id: string }>(
    `SELECT store_id FROM pull_schedule WHERE active AND (next_run_at <= now() OR failures > 0) ORDER BY next_run_at, store_id LIMIT $1`,
    [limit],
  );
  const stores = (await Promise.all(ids.rows.map((r) => schedule.get(r.store_id)))).filter((r): r is ScheduleRow => r !== null);
  return { activeStores: summary.active, dueNow: summary.due, failing: summary.failing, stuck: summary.stuck, nextRunAt: summary.next_run_at?.toISOString() ?? null, stores };
};

export const collectStatus = async (ctx: CliContext, opts: { limit: number; probeBroker: boolean }): Promise<StatusReport> => {
  const runner = projectionRunner({ db: ctx.db, store: ctx.store, projections: ctx.projections, log: ctx.log.child({ component: 'projections' }) });
  const days = ctx.config.retention.days;
  const sync = marketplaceSyncQueries(ctx.db);
  const [projections, feed, schedule, retention, byState, nearDeadline, authorizations] = await Promise.all([
    runner.status(),
    feedStatus(ctx, opts.probeBroker),
    scheduleStatus(ctx, opts.limit),
    retentionStore(ctx.db).counts(terminalCutoff(new Date().toISOString(), days)),
    sync.countsByState(),
    sync.walmartUnacknowledgedNearDeadline(new Date()),
    authorizationsStatus(ctx, Math.max(opts.limit, 1)),
  ]);
  return { projections, feed, schedule, retention: { ...retention, retentionDays: days }, marketplaceSync: { byState, walmartUnacknowledgedNearDeadline: nearDeadline }, authorizations };
};

const behind = (n: number | null) => (n === null ? '? behind' : `${n >= BEHIND_CAP ? '≥' : ''}${count(n)} behind`);

const printStatus = (io: CliIo, r: StatusReport) => {
  const out = io.stdout;
  line(out, 'Projections');
  const rows = r.projections.map((p) => [
    p.name,
    p.status === 'failed' ? 'FAILED' : p.indexesSetAside > 0 ? `rebuilding (${p.indexesSetAside} ${p.indexesSetAside === 1 ? 'index' : 'indexes'} set aside)` : 'ok',
    behind(p.eventsBehind),
    `lag ${duration(p.lagMs)}`,
    `${count(p.eventsProcessed)} applied`,
    `last event ${p.lastEventAt ?? '—'}`,
  ]);
  for (const l of table(rows)) line(out, l);
  for (const p of r.projections) {
    if (p.status !== 'failed') continue;
    const e = p.failedEvent;
    line(out, `  ${p.name} stopped at ${e ? `${e.streamId}#${e.revision} (${e.type}, event ${e.id})` : 'an event'}: ${p.error ?? ''}`);
  }
  line(out);
  line(out, 'Warehouse feed');
  if (r.feed.kind === 'http') {
    line(out, `  HTTP feed only (KAFKA_BROKERS not set): ${r.feed.messages === null ? '?' : count(r.feed.messages)} feed messages`);
  } else {
    const f = r.feed;
    line(out, `  kafka topic ${f.topic}: ${behind(f.eventsBehind)}, lag ${duration(f.lagMs)}, checkpoint ${f.checkpoint ?? '(start)'}`);
    line(out, `  lease: ${f.lease ? `${f.lease.holder} (epoch ${f.lease.epoch}, ${f.lease.active ? 'held until' : 'expired at'} ${f.lease.expiresAt})` : 'never taken (no publisher has run)'}`);
    line(out, `  broker: ${f.broker}${f.brokerError ? ` (${f.brokerError})` : ''}`);
  }
  line(out);
  line(out, 'Pull schedule');
  const s = r.schedule;
  line(out, `  ${count(s.activeStores)} active stores, ${count(s.dueNow)} due now, ${count(s.failing)} with failures (${count(s.stuck)} failing); next run ${s.nextRunAt ?? '—'}`);
  if (s.stores.length) {
    const storeRows = s.stores.map((x) => [
      x.storeId,
      x.nextRunAt,
      x.running ? 'running' : Date.parse(x.nextRunAt) <= Date.now() ? 'due' : 'waiting',
      x.state === 'ok' ? 'ok' : `${x.state} since ${x.failingSince ?? '?'}`,
      String(x.failures),
      x.lastError ? `${x.lastErrorAt ?? ''} ${x.lastError}` : '—',
    ]);
    for (const l of table([['store', 'next run', 'state', 'health', 'failures', 'last error'], ...storeRows])) line(out, l);
  }
  line(out);
  line(out, `Buyer-data retention (${r.retention.retentionDays} days after shipped or cancelled)`);
  const ret = r.retention;
  line(out, `  ${count(ret.due)} due, ${count(ret.waiting)} waiting, ${count(ret.erased)} erased`);
  line(out, `  last run: ${ret.lastRun ? `${ret.lastRun.at}, ${count(ret.lastRun.erased)} erased${ret.lastRun.error ? ` (error: ${ret.lastRun.error})` : ''}` : 'never'}`);
  if (r.marketplaceSync) {
    const m = r.marketplaceSync;
    const n = (state: string) => count(m.byState[state] ?? 0);
    line(out);
    line(out, 'Marketplace confirmations');
    line(out, `  released orders: ${n('pending')} pending, ${n('confirmed')} confirmed, ${n('failed')} failed, ${n('none')} awaiting the warehouse`);
    line(out, `  Walmart orders unacknowledged 3 h after creation: ${count(m.walmartUnacknowledgedNearDeadline)}`);
  }
  const a = r.authorizations;
  line(out);
  line(out, 'Authorizations needing the seller');
  line(out, `  ${count(a.reauthorizationRequired.length)} need re-authorization (pulls stopped), ${count(a.renewalDue.length)} due for renewal within ${RENEWAL_DUE_DAYS} days`);
  const authRows = [
    ...a.reauthorizationRequired.map((x) => [x.authorizationId, x.platform, x.name, 'reauthorization_required', `${x.reason ?? '—'} since ${x.since}`]),
    ...a.renewalDue.map((x) => [x.authorizationId, x.platform, x.name, 'renewal due', `renew by ${x.renewBy}`]),
  ];
  if (authRows.length) for (const l of table([['authorization', 'platform', 'name', 'state', 'detail'], ...authRows])) line(out, l);
};

/** `oms status [--json] [--limit n] [--no-probe]`. */
export const statusCommand = async (ctx: CliContext, io: CliIo, opts: { json: boolean; limit: number; probeBroker: boolean }) => {
  const report = await collectStatus(ctx, opts);
  if (opts.json) line(io.stdout, JSON.stringify(report, null, 2));
  else printStatus(io, report);
};
