import { createHmac } from 'node:crypto';
import type { ScheduleStore } from '../adapters/scheduler/scheduleStore.js';
import { authorizationDecider, authorizationStreamId } from '../domain/authorization/decider.js';
import { AuthorizationEvent } from '../domain/authorization/events.js';
import { OrderPulled, type StoredOrder } from '../domain/order/events.js';
import { OrderRejected, rejectionStreamId } from '../domain/order/rejection.js';
import { missingLabelFields } from '../domain/order/address.js';
import type { PlatformOrder } from '../domain/order/platformOrder.js';
import type { AppendRequest, NewEvent } from '../domain/ports/eventStore.js';
import { MarketplaceError } from '../domain/ports/marketplaces.js';
import type { OrderPage, OrderSource, PullTarget, UnreadableOrder } from '../domain/ports/orderSource.js';
import type { Sql } from '../domain/ports/sql.js';
import { SecretDestroyedError, type Sealed, type Vault } from '../domain/ports/vault.js';
import { nextPullWindow, type PlannedWindow } from '../domain/pull/window.js';
import { pullStreamId, type PullEvent } from '../domain/pull/events.js';
import { decodeWith, loadState } from '../domain/shared/commandHandler.js';
import { storeDecider, storeStreamId } from '../domain/store/decider.js';
import { decodeStore, type AppDeps } from './context.js';
import { nameUuid } from './ids.js';

const decodeAuthorization = decodeWith(AuthorizationEvent);

export type PullDeps = AppDeps &
  Readonly<{
    db: Sql;
    vault: Vault;
    schedule: ScheduleStore;
    sources: Readonly<Record<'amazon' | 'walmart', OrderSource>>;
    /** Keys the content hash (HMAC), so hashes of orders reveal nothing about their buyers. */
    hashKey: Buffer;
    /** The reconciliation sweep's window (hours of updates re-read) and how often it runs (0: every pull). */
    windowHours: number;
    sweepEveryHours?: number;
    /**
     * Resolves when the next page (of so many events) may be recorded, with the function to call
     * once it is: back-pressure from the consumers downstream, so that a large backlog waits at the
     * marketplace rather than in OMS (absent: never waits).
     */
    admitPage?: (events: number, signal?: AbortSignal) => Promise<() => void>;
    /** Orders of a page that could not be read (metrics). */
    onRejected?: (platform: 'amazon' | 'walmart', count: number) => void;
  }>;

export type PullOutcome =
  | Readonly<{ ok: true; pullId: string; pages: number; ordersNew: number; ordersChanged: number; ordersUnchanged: number }>
  | Readonly<{ ok: false; pullId: string | null; reason: string; retryable: boolean }>;

/** Amazon's search end bound must be at least 2 minutes old (with margin for clock skew). */
const END_LAG_MS = 130_000;

/** JSON with sorted keys: the same order always hashes the same. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );

/**
 * Pulling one store: the window (look-back, schedule, or catch-up after downtime), every page of it,
 * each page's orders recorded in one append (new and changed only; unchanged orders append
 * nothing), the resume point saved after each page, and the pull log. A failed pull moves no
 * watermark and resumes from its last page.
 */
export const pullService = (deps: PullDeps) => {
  const now = () => deps.clock.now().toISOString();
  const hash = (o: PlatformOrder) => createHmac('sha256', deps.hashKey).update(canonical(o)).digest('hex');

  const pullEvent = (e: PullEvent, correlationId: string): NewEvent => ({
    id: deps.ids.newId(),
    type: e.type,
    data: e.data,
    metadata: { actor: 'system:scheduler', correlationId, schemaVersion: e.schemaVersion },
  });
  const logPull = async (storeId: string, e: PullEvent, correlationId: string) => {
    await deps.store.append(pullStreamId(storeId), [pullEvent(e, correlationId)], 'any');
  };

  /** The order without the buyer's data, which is sealed (`personal`) with the order's own key. */
  const toStored = (o: PlatformOrder, personal: string | null): StoredOrder => {
    const { shipTo, buyer: _buyer, ...rest } = o;
    return {
      ...rest,
      shipToCountry: shipTo?.countryCode ?? null,
      shipToRegion: shipTo?.stateOrRegion ?? null,
      personalData: personal,
      shipToMissing: missingLabelFields(shipTo),
    };
  };

  /**
   * Recording a page, first half: which orders are new or changed (against the orders read model,
   * which may lag — appends are idempotent, so that only costs a no-op), their buyer data sealed,
   * their events built. Event ids derive from order + update time + content (re-runs append nothing).
   */
  const preparePage = async (
    ctx: { storeId: string; tenantId: string; pullId: string; platform: 'amazon' | 'walmart' },
    orders: readonly PlatformOrder[],
    unreadable: readonly UnreadableOrder[] = [],
  ) => {
    const keyed = orders.map((o) => ({ o, orderId: nameUuid(`order/${ctx.storeId}/${o.platformOrderId}`), contentHash: hash(o) }));
    const { rows } = keyed.length
      ? await deps.db.query<{ order_id: string; content_hash: string }>(
          'SELECT order_id, content_hash FROM rm_orders WHERE order_id = ANY($1::text[])',
          [keyed.map((k) => k.orderId)],
        )
      : { rows: [] };
    const known = new Map(rows.map((r) => [r.order_id, r.content_hash]));
    const changed = keyed.filter((k) => known.get(k.orderId) !== k.contentHash);
    // The same order twice in one page (a marketplace re-sorting while we page): keep the newest.
    const latest = new Map<string, (typeof changed)[number]>();
    for (const k of changed) {
      const before = latest.get(k.orderId);
      if (!before || before.o.updatedAt <= k.o.updatedAt) latest.set(k.orderId, k);
    }
    const toWrite = [...latest.values()];
    let personal = toWrite.filter((k) => k.o.shipTo || k.o.buyer);
    let sealed: Sealed[] = [];
    for (;;) {
      try {
        sealed = await deps.vault.sealMany(personal.map((k) => ({ ownerId: `order-${k.orderId}`, plaintext: JSON.stringify({ shipTo: k.o.shipTo, buyer: k.o.buyer }) })));
        break;
      } catch (error) {
        // An order whose buyer data was erased (retention) is recorded without it: never sealed again.
        if (!(error instanceof SecretDestroyedError)) throw error;
        const erased = error.ownerId;
        personal = personal.filter((k) => `order-${k.orderId}` !== erased);
      }
    }
    const sealedOf = new Map(personal.map((k, i) => [k.orderId, sealed[i]!]));
    const requests: AppendRequest[] = toWrite.map((k) => {
        const event = OrderPulled.parse({
          type: 'OrderPulled',
          schemaVersion: 1,
          data: { orderId: k.orderId, tenantId: ctx.tenantId, storeId: ctx.storeId, pullId: ctx.pullId, contentHash: k.contentHash, order: toStored(k.o, sealedOf.get(k.orderId) ?? null), pulledAt: now() },
        });
        return {
          streamId: `order-${k.orderId}`,
          events: [
            {
              id: nameUuid(`order-event/${k.orderId}/${k.o.updatedAt}/${k.contentHash}`),
              type: event.type,
              data: event.data,
              metadata: { actor: 'system:scheduler', correlationId: ctx.pullId, schemaVersion: 1 },
            },
          ],
          expected: 'any' as const,
        };
      });
    return { requests, orderIds: [...latest.keys()], known, pageSize: keyed.length, rejections: rejectionRequests(ctx, unreadable) };
  };
  type PreparedPage = Awaited<ReturnType<typeof preparePage>>;

  /**
   * Orders of the page that could not be read: one OrderRejected each, in the store's rejection
   * stream, appended with the page (so the page's good orders and its rejections commit together).
   * The payload is only hashed (keyed HMAC); the event id derives from store, order and hash, so
   * the same bad payload seen again by a later pull appends nothing.
   */
  const rejectionRequests = (ctx: { storeId: string; tenantId: string; pullId: string; platform: 'amazon' | 'walmart' }, unreadable: readonly UnreadableOrder[]): AppendRequest[] => {
    if (!unreadable.length) return [];
    const seen = new Set<string>();
    const events: NewEvent[] = [];
    for (const u of unreadable) {
      const payloadHash = createHmac('sha256', deps.hashKey).update(canonical(u.payload) ?? 'undefined').digest('hex');
      const id = nameUuid(`order-rejection/${ctx.storeId}/${u.platformOrderId ?? ''}/${payloadHash}`);
      if (seen.has(id)) continue;
      seen.add(id);
      const event = OrderRejected.parse({
        type: 'OrderRejected',
        schemaVersion: 1,
        data: { tenantId: ctx.tenantId, storeId: ctx.storeId, pullId: ctx.pullId, platform: ctx.platform, platformOrderId: u.platformOrderId, reason: u.reason, payloadHash, rejectedAt: now() },
      });
      events.push({ id, type: event.type, data: event.data, metadata: { actor: 'system:scheduler', correlationId: ctx.pullId, schemaVersion: 1 } });
    }
    deps.onRejected?.(ctx.platform, unreadable.length);
    return [{ streamId: rejectionStreamId(ctx.storeId), events, expected: 'any' }];
  };

  /** Second half: the page's events in one append (one transaction on PostgreSQL); returns counts. */
  const writePage = async ({ requests: orderRequests, orderIds, known, pageSize, rejections }: PreparedPage) => {
    // The rejections go last: results[i] stays the i-th order's.
    const requests = [...orderRequests, ...rejections];
    const results = requests.length ? await deps.store.appendMany(requests) : [];
    const appended = results.slice(0, orderRequests.length).filter((r) => r.appended).length;
    const ordersNew = orderIds.filter((id, i) => !known.has(id) && results[i]?.appended).length;
    return { ordersNew, ordersChanged: appended - ordersNew, ordersUnchanged: pageSize - appended };
  };

  return {
    pullStore: async (storeId: string, trigger: 'schedule' | 'manual', signal?: AbortSignal): Promise<PullOutcome> => {
      const { state: store } = await loadState(storeDecider, decodeStore, deps.store, storeStreamId(storeId));
      const schedule = await deps.schedule.get(storeId);
      if (store.status !== 'active' || !schedule) return { ok: false, pullId: null, reason: 'store_not_active', retryable: false };
      const { state: auth } = await loadState(authorizationDecider, decodeAuthorization, deps.store, authorizationStreamId(store.authorizationId));
      if (auth.status !== 'active') return { ok: false, pullId: null, reason: 'authorization_not_active', retryable: false };

      const resume = schedule.resume;
      const planned = nextPullWindow({
        now: now(),
        connectedAt: schedule.connectedAt,
        initialLookbackDays: auth.initialLookbackDays,
        windowHours: deps.windowHours,
        watermark: schedule.watermark,
        lastSweepAt: schedule.lastSweepAt,
        sweepEveryHours: deps.sweepEveryHours ?? 0,
      });
      // The end bound is fixed when the pull starts (Amazon lists only what is ≥ 2 minutes old, and
      // every page must repeat it); the watermark is exactly that bound, so nothing falls in between.
      const window: PlannedWindow = resume?.window ?? {
        ...planned,
        to: new Date(Math.min(Date.parse(planned.to), deps.clock.now().getTime() - END_LAG_MS)).toISOString(),
      };
      const pullId = resume?.pullId ?? deps.ids.newId();
      const ctx = { storeId, tenantId: store.tenantId, pullId, platform: store.platform };
      const base = { pullId, storeId, tenantId: store.tenantId };
      await deps.schedule.setRunning(storeId, pullId);
      await logPull(storeId, { type: 'PullStarted', schemaVersion: 1, data: { ...base, trigger: schedule.watermark === null ? 'initial' : trigger, window, resumed: resume !== null, startedAt: now() } }, pullId);

      const target: PullTarget = { authorizationId: auth.authorizationId, platform: store.platform, region: auth.region, marketplaceIds: [store.marketplaceId] };
      let cursor = resume?.cursor ?? null;
      let pages = 0;
      let restarted: { reason: string; detail: string } | null = null;
      const totals = { ordersNew: 0, ordersChanged: 0, ordersUnchanged: 0 };
      try {
        // Three stages overlap: while page N is appended, page N+1 is prepared (read-model lookup,
        // sealing) and page N+2 fetched. Appends stay one page after the other, in page order, and
        // the resume point only ever names a page whose predecessors are all appended.
        type Stage = { fetched: Promise<OrderPage>; prepared: Promise<PreparedPage> };
        const stage = (from: string | null): Stage => {
          const fetched = deps.sources[store.platform].fetchPage(target, window, from, signal);
          const prepared = fetched.then((page) => preparePage(ctx, page.orders, page.rejected));
          // Awaited in their turn; if an earlier page fails first, their outcome is moot.
          prepared.catch(() => undefined);
          return { fetched, prepared };
        };
        let current = stage(cursor);
        for (;;) {
          let page: OrderPage;
          try {
            page = await current.fetched;
          } catch (error) {
            // A resume point the marketplace no longer honours (Amazon's tokens expire after 24 h)
            // would fail on every retry: drop it and read the window again from its first page.
            // Pages already recorded append nothing the second time (event ids are idempotent).
            // Once per pull: a fresh sequence that fails the same way is an ordinary failure.
            if (!(error instanceof MarketplaceError && error.code === 'cursor_refused' && cursor !== null && restarted === null)) throw error;
            restarted = { reason: error.code, detail: error.message };
            cursor = null;
            await deps.schedule.saveResume(storeId, null);
            current = stage(null);
            continue;
          }
          const next = page.next && !signal?.aborted ? stage(page.next) : null;
          const prepared = await current.prepared;
          const recorded = prepared.requests.length ? await deps.admitPage?.(prepared.requests.length, signal) : undefined;
          const counts = await writePage(prepared).finally(() => recorded?.());
          totals.ordersNew += counts.ordersNew;
          totals.ordersChanged += counts.ordersChanged;
          totals.ordersUnchanged += counts.ordersUnchanged;
          pages++;
          cursor = page.next;
          // After the page is recorded: a crash from here resumes with the next page, not the first.
          await deps.schedule.saveResume(storeId, cursor ? { pullId, window, cursor } : null);
          if (!cursor || signal?.aborted) break;
          if (next) current = next;
        }
        if (cursor) throw new MarketplaceError('timeout', null, 'the pull was interrupted');
      } catch (error) {
        const interrupted = signal?.aborted === true;
        const reason = error instanceof MarketplaceError ? error.code : interrupted ? 'interrupted' : 'internal_error';
        const detail = error instanceof MarketplaceError ? error.message : interrupted ? 'the service is shutting down' : 'unexpected error';
        // A resume point that cannot be used again is dropped now, so the next pull starts afresh.
        if (error instanceof MarketplaceError && error.code === 'cursor_refused') {
          cursor = null;
          await deps.schedule.saveResume(storeId, null).catch(() => undefined);
        }
        await logPull(storeId, { type: 'PullFailed', schemaVersion: 1, data: { ...base, window, pages, reason, detail, resumable: cursor !== null, failedAt: now() } }, pullId).catch(() => undefined);
        if (!(error instanceof MarketplaceError) && !interrupted) throw error;
        return { ok: false, pullId, reason, retryable: true };
      }
      const watermark = window.to;
      if (window.sweep) await deps.schedule.markSwept(storeId, watermark);
      await logPull(storeId, { type: 'PullCompleted', schemaVersion: 1, data: { ...base, window, pages, ...totals, watermark, completedAt: now(), ...(restarted ? { restarted } : {}) } }, pullId);
      return { ok: true, pullId, pages, ...totals };
    },
  };
};

export type PullService = ReturnType<typeof pullService>;
