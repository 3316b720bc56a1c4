import { createHmac } from 'node:crypto';
import type { PullSchedule, ScheduleRow } from '../domain/ports/pullSchedule.js';
import { authorizationDecider, authorizationStreamId, type Authorization } from '../domain/authorization/decider.js';
import { AuthorizationEvent } from '../domain/authorization/events.js';
import { OrderPulled, type StoredOrder } from '../domain/order/events.js';
import { OrderRejected, orderRejectionStreamId } from '../domain/order/rejection.js';
import { missingLabelFields } from '../domain/order/address.js';
import type { PlatformOrder } from '../domain/order/platformOrder.js';
import type { AppendRequest, NewEvent } from '../domain/ports/eventStore.js';
import { MarketplaceError } from '../domain/ports/marketplaces.js';
import type { OrderLookups } from '../domain/ports/orderQueries.js';
import type { OrderPage, OrderSource, PullTarget, UnreadableOrder } from '../domain/ports/orderSource.js';
import { SecretDestroyedError, type Sealed, type Vault } from '../domain/ports/vault.js';
import { nextPullWindow, type PlannedWindow } from '../domain/pull/window.js';
import { pullStreamId, type PullEvent } from '../domain/pull/events.js';
import { decodeWith, loadState } from '../domain/shared/commandHandler.js';
import { settingsOf, storeDecider, storeStreamId, type Store } from '../domain/store/decider.js';
import { decodeStore, type AppDeps } from './context.js';
import { readAhead } from '../shared/readAhead.js';
import { canonicalJson } from '../shared/canonicalJson.js';
import { nameUuid } from './ids.js';
import { orderStreamId } from '../domain/order/streams.js';

const decodeAuthorization = decodeWith(AuthorizationEvent);

export type PullDeps = AppDeps &
  Readonly<{
    /** Which orders changed: the content hashes the order read model holds. */
    orders: OrderLookups;
    vault: Vault;
    schedule: PullSchedule;
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

/** Up to 50 marketplaceIds per searchOrders call (v2026-01-01). */
const MAX_MARKETPLACES_PER_SEARCH = 50;

export type PullOutcome =
  | Readonly<{ ok: true; pullId: string; pages: number; ordersNew: number; ordersChanged: number; ordersUnchanged: number }>
  | Readonly<{ ok: false; pullId: string | null; reason: string; retryable: boolean }>;

/** The outcome of each store of a group's pull. */
export type GroupOutcome = Readonly<Record<string, PullOutcome>>;

/** Amazon's search end bound must be at least 2 minutes old (with margin for clock skew). */
const END_LAG_MS = 130_000;

/**
 * Pulling one store: the window (look-back, schedule, or catch-up after downtime), every page of it,
 * each page's orders recorded in one append (new and changed only; unchanged orders append
 * nothing), the resume point saved after each page, and the pull log. A failed pull moves no
 * watermark and resumes from its last page.
 */
export const pullService = (deps: PullDeps) => {
  const now = () => deps.clock.now().toISOString();
  const hash = (o: PlatformOrder) => createHmac('sha256', deps.hashKey).update(canonicalJson(o)!).digest('hex');

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
    const known = await deps.orders.contentHashes(keyed.map((k) => k.orderId));
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
        sealed = await deps.vault.sealMany(personal.map((k) => ({ ownerId: orderStreamId(k.orderId), plaintext: JSON.stringify({ shipTo: k.o.shipTo, buyer: k.o.buyer }) })));
        break;
      } catch (error) {
        // An order whose buyer data was erased (retention) is recorded without it: never sealed again.
        if (!(error instanceof SecretDestroyedError)) throw error;
        const erased = error.ownerId;
        personal = personal.filter((k) => orderStreamId(k.orderId) !== erased);
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
          streamId: orderStreamId(k.orderId),
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
      const payloadHash = createHmac('sha256', deps.hashKey).update(canonicalJson(u.payload) ?? 'undefined').digest('hex');
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
    return [{ streamId: orderRejectionStreamId(ctx.storeId), events, expected: 'any' }];
  };

  /**
   * Second half: the page's events — every store's share of it — in one append (one transaction on
   * PostgreSQL); returns each store's counts, in the order given.
   */
  const writePages = async (pages: readonly PreparedPage[]) => {
    // The rejections go last: the order results come first, page after page.
    const orderRequests = pages.flatMap((p) => p.requests);
    const requests = [...orderRequests, ...pages.flatMap((p) => p.rejections)];
    const results = requests.length ? await deps.store.appendMany(requests) : [];
    let offset = 0;
    return pages.map((p) => {
      const mine = results.slice(offset, offset + p.requests.length);
      offset += p.requests.length;
      const appended = mine.filter((r) => r.appended).length;
      const ordersNew = p.orderIds.filter((id, i) => !p.known.has(id) && mine[i]?.appended).length;
      return { ordersNew, ordersChanged: appended - ordersNew, ordersUnchanged: p.pageSize - appended };
    });
  };

  type Auth = Exclude<Authorization, { status: 'absent' }>;
  type ActiveStore = Exclude<Store, { status: 'absent' }>;
  type Member = Readonly<{ storeId: string; store: ActiveStore; auth: Auth; schedule: ScheduleRow; trigger: 'schedule' | 'manual'; planned: PlannedWindow }>;
  /** One marketplace search sequence and the stores it serves. */
  type Sequence = {
    members: Member[];
    window: PlannedWindow;
    pullId: string;
    resumed: boolean;
    cursor: string | null;
    marketplaceIds: readonly string[];
    /** Initial look-backs: each store records only orders created since its own look-back start. */
    createdFloor: Map<string, number>;
  };

  const loadStore = async (storeId: string) => (await loadState(storeDecider, decodeStore, deps.store, storeStreamId(storeId))).state;

  /**
   * The searches a group's pull makes. Stores resuming an interrupted sequence continue it (same
   * window, token and marketplaces); the others share one fresh sequence per authorization and kind
   * of window: scheduled pulls ask for updates from the OLDEST member watermark (less the overlap)
   * — each store's own window is inside it, so every watermark may then move to its end — and a
   * sweep due for one member is a sweep for all (the authorization's sweeps align). Initial
   * look-backs (orders created since …) share one search from the earliest start, and each store
   * keeps only the orders created since its own. At most 50 marketplaces per search.
   */
  const planSequences = (members: readonly Member[]): Sequence[] => {
    const endBound = deps.clock.now().getTime() - END_LAG_MS;
    const byKey = new Map<string, Sequence>();
    for (const m of members) {
      const r = m.schedule.resume;
      if (r) {
        const key = `resume|${r.pullId}|${r.cursor}`;
        const seq: Sequence = byKey.get(key) ?? { members: [], window: r.window, pullId: r.pullId, resumed: true, cursor: r.cursor, marketplaceIds: r.marketplaceIds ?? [m.store.marketplaceId], createdFloor: new Map() };
        seq.members.push(m);
        byKey.set(key, seq);
        continue;
      }
      const w: PlannedWindow = { ...m.planned, to: new Date(Math.min(Date.parse(m.planned.to), endBound)).toISOString() };
      const key = `fresh|${m.store.authorizationId}|${w.kind}`;
      const floor = (seq: Sequence) => (w.kind === 'created' ? seq.createdFloor.set(m.storeId, Date.parse(w.from)) : seq.createdFloor);
      const seq = byKey.get(key);
      if (!seq) {
        const created: Sequence = { members: [m], window: w, pullId: '', resumed: false, cursor: null, marketplaceIds: [], createdFloor: new Map() };
        floor(created);
        byKey.set(key, created);
        continue;
      }
      seq.members.push(m);
      floor(seq);
      seq.window = {
        kind: w.kind,
        from: Date.parse(w.from) < Date.parse(seq.window.from) ? w.from : seq.window.from,
        to: seq.window.to,
        sweep: seq.window.sweep === true || w.sweep === true,
      };
    }
    const sequences: Sequence[] = [];
    for (const seq of byKey.values()) {
      if (seq.resumed) {
        sequences.push(seq);
        continue;
      }
      const ordered = [...seq.members].sort((a, b) => (a.store.marketplaceId < b.store.marketplaceId ? -1 : 1));
      for (let i = 0; i < ordered.length; i += MAX_MARKETPLACES_PER_SEARCH) {
        const chunk = ordered.slice(i, i + MAX_MARKETPLACES_PER_SEARCH);
        sequences.push({ ...seq, members: chunk, pullId: deps.ids.newId(), marketplaceIds: [...new Set(chunk.map((m) => m.store.marketplaceId))] });
      }
    }
    return sequences;
  };

  /** The marketplace an unreadable order names, when it names one (to file its rejection under its store). */
  const rawMarketplaceOf = (payload: unknown): string | null => {
    const channel = (payload as { salesChannel?: unknown } | null)?.salesChannel;
    const one = Array.isArray(channel) ? (channel[0] as unknown) : channel;
    const id = (one as { marketplaceId?: unknown } | null | undefined)?.marketplaceId;
    return typeof id === 'string' ? id : null;
  };

  /**
   * One sequence: every page, each page's orders routed to their store by marketplace and recorded
   * in one append, the resume point saved for every member after each page, and each member's pull
   * log (PullStarted / PullCompleted / PullFailed with its own counts and watermark).
   */
  const runSequence = async (seq: Sequence, signal?: AbortSignal): Promise<GroupOutcome> => {
    const { window, pullId, members } = seq;
    const first = members[0]!;
    const ids = members.map((m) => m.storeId);
    const platform = first.store.platform;
    const byMarketplace = new Map(members.map((m) => [m.store.marketplaceId, m]));
    // One store: everything the search returns is its (Walmart names no marketplace per order).
    const route = (marketplaceId: string | null): Member | undefined => (members.length === 1 ? first : marketplaceId === null ? first : byMarketplace.get(marketplaceId));
    const base = (m: Member) => ({ pullId, storeId: m.storeId, tenantId: m.store.tenantId });
    await deps.schedule.setRunning(ids, pullId);
    for (const m of members) {
      await logPull(m.storeId, { type: 'PullStarted', schemaVersion: 1, data: { ...base(m), trigger: m.schedule.watermark === null ? 'initial' : m.trigger, window, resumed: seq.resumed, startedAt: now() } }, pullId);
    }

    // FBA orders are left out of the search only when no store of it records them; a store that
    // skips them drops them when they come for another store's sake.
    const skipsFba = (m: Member) => platform === 'amazon' && settingsOf(m.store).skipMarketplaceFulfilled;
    const target: PullTarget = {
      authorizationId: first.store.authorizationId,
      platform,
      region: first.auth.region,
      marketplaceIds: seq.marketplaceIds,
      ...(members.every(skipsFba) ? { skipMarketplaceFulfilled: true } : {}),
      ...(platform === 'walmart' && settingsOf(first.store).walmart3plNode ? { walmart3plNode: true } : {}),
    };
    let cursor = seq.cursor;
    let pages = 0;
    let restarted: { reason: string; detail: string } | null = null;
    const totals = new Map(members.map((m) => [m.storeId, { ordersNew: 0, ordersChanged: 0, ordersUnchanged: 0 }]));

    /** A page's orders (and unreadable orders) split by store, each share prepared for its store. */
    const prepareRouted = async (page: OrderPage) => {
      const shares = new Map<Member, { orders: PlatformOrder[]; rejected: UnreadableOrder[] }>();
      const share = (m: Member) => shares.get(m) ?? (shares.set(m, { orders: [], rejected: [] }), shares.get(m)!);
      for (const o of page.orders) {
        // An order of a marketplace not in this pull (its store is pulled elsewhere) is that pull's to record.
        const m = route(o.marketplaceId);
        if (!m || Date.parse(o.createdAt) < (seq.createdFloor.get(m.storeId) ?? -Infinity)) continue;
        if (o.fulfillmentChannel === 'marketplace' && skipsFba(m)) continue;
        share(m).orders.push(o);
      }
      for (const u of page.rejected ?? []) share(route(rawMarketplaceOf(u.payload)) ?? first).rejected.push(u);
      const list = [...shares];
      const prepared = await Promise.all(list.map(([m, s]) => preparePage({ storeId: m.storeId, tenantId: m.store.tenantId, pullId, platform }, s.orders, s.rejected)));
      return list.map(([m], i) => ({ member: m, prepared: prepared[i]! }));
    };
    type Routed = Awaited<ReturnType<typeof prepareRouted>>;

    /** The window's pages from `from` on, one after the other (each names the next). */
    async function* pagesFrom(from: string | null): AsyncGenerator<OrderPage> {
      for (let at = from; ; ) {
        const page = await deps.sources[platform].fetchPage(target, window, at, signal);
        yield page;
        if (!page.next || signal?.aborted) return;
        at = page.next;
      }
    }
    // Three stages overlap (the shared read-ahead, depth 1): while page N is appended, page N+1 is
    // prepared (read-model lookup, sealing) and page N+2 fetched. Appends stay one page after the
    // other, in page order, and the resume point only ever names a page whose predecessors are all
    // appended. A page fetched or prepared ahead whose turn never comes (an earlier page failed) is
    // dropped: its outcome is moot and its failure goes unheard, not unhandled.
    const pagesAhead = (from: string | null) => readAhead(pagesFrom(from), 1, async (page) => ({ page, routed: await prepareRouted(page) }));
    let ahead = pagesAhead(cursor);
    // Not awaited: a fetch still in flight (the page after a failed one) need not hold the outcome up.
    const drop = (pages: typeof ahead) => void pages.close().catch(() => undefined);

    try {
      for (;;) {
        let next: { page: OrderPage; routed: Routed } | null;
        try {
          next = await ahead.next();
        } catch (error) {
          // A resume point the marketplace no longer honours (Amazon's tokens expire after 24 h)
          // would fail on every retry: drop it and read the window again from its first page.
          // Pages already recorded append nothing the second time (event ids are idempotent).
          // Once per pull: a fresh sequence that fails the same way is an ordinary failure.
          if (!(error instanceof MarketplaceError && error.code === 'cursor_refused' && cursor !== null && restarted === null)) throw error;
          restarted = { reason: error.code, detail: error.message };
          cursor = null;
          await deps.schedule.saveResume(ids, null);
          drop(ahead);
          ahead = pagesAhead(null);
          continue;
        }
        if (!next) break;
        const { page, routed } = next;
        const events = routed.reduce((n, r) => n + r.prepared.requests.length, 0);
        const recorded = events ? await deps.admitPage?.(events, signal) : undefined;
        const counts = await writePages(routed.map((r) => r.prepared)).finally(() => recorded?.());
        routed.forEach((r, i) => {
          const t = totals.get(r.member.storeId)!;
          t.ordersNew += counts[i]!.ordersNew;
          t.ordersChanged += counts[i]!.ordersChanged;
          t.ordersUnchanged += counts[i]!.ordersUnchanged;
        });
        pages++;
        cursor = page.next;
        // After the page is recorded: a crash from here resumes with the next page, not the first.
        await deps.schedule.saveResume(ids, cursor ? { pullId, window, cursor, marketplaceIds: seq.marketplaceIds } : null);
        if (!cursor || signal?.aborted) break;
      }
      if (cursor) throw new MarketplaceError('timeout', null, 'the pull was interrupted');
    } catch (error) {
      const interrupted = signal?.aborted === true;
      const reason = error instanceof MarketplaceError ? error.code : interrupted ? 'interrupted' : 'internal_error';
      const detail = error instanceof MarketplaceError ? error.message : interrupted ? 'the service is shutting down' : 'unexpected error';
      // A resume point that cannot be used again is dropped now, so the next pull starts afresh.
      if (error instanceof MarketplaceError && error.code === 'cursor_refused') {
        cursor = null;
        await deps.schedule.saveResume(ids, null).catch(() => undefined);
      }
      for (const m of members) {
        await logPull(m.storeId, { type: 'PullFailed', schemaVersion: 1, data: { ...base(m), window, pages, reason, detail, resumable: cursor !== null, failedAt: now() } }, pullId).catch(() => undefined);
      }
      if (!(error instanceof MarketplaceError) && !interrupted) throw error;
      return Object.fromEntries(ids.map((id) => [id, { ok: false as const, pullId, reason, retryable: true }]));
    } finally {
      drop(ahead);
    }
    const watermark = window.to;
    if (window.sweep) await deps.schedule.markSwept(ids, watermark);
    const outcomes: Record<string, PullOutcome> = {};
    for (const m of members) {
      const t = totals.get(m.storeId)!;
      await logPull(m.storeId, { type: 'PullCompleted', schemaVersion: 1, data: { ...base(m), window, pages, ...t, watermark, completedAt: now(), ...(restarted ? { restarted } : {}) } }, pullId);
      outcomes[m.storeId] = { ok: true, pullId, pages, ...t };
    }
    return outcomes;
  };

  /**
   * Pull stores together: Amazon stores of one authorization share one searchOrders sequence (all
   * their marketplaces in each call: the budget is per seller and region, not per marketplace);
   * each store keeps its own watermark, sweep, resume point, pull log and outcome.
   */
  const pullGroup = async (stores: readonly Readonly<{ storeId: string; manual: boolean }>[], signal?: AbortSignal): Promise<GroupOutcome> => {
    const outcomes: Record<string, PullOutcome> = {};
    const auths = new Map<string, Authorization>();
    const members: Member[] = [];
    for (const { storeId, manual } of stores) {
      const store = await loadStore(storeId);
      const schedule = await deps.schedule.get(storeId);
      if (store.status !== 'active' || !schedule) {
        outcomes[storeId] = { ok: false, pullId: null, reason: 'store_not_active', retryable: false };
        continue;
      }
      const auth = auths.get(store.authorizationId) ?? (await loadState(authorizationDecider, decodeAuthorization, deps.store, authorizationStreamId(store.authorizationId))).state;
      auths.set(store.authorizationId, auth);
      if (auth.status !== 'active') {
        outcomes[storeId] = { ok: false, pullId: null, reason: 'authorization_not_active', retryable: false };
        continue;
      }
      const planned = nextPullWindow({
        now: now(),
        connectedAt: schedule.connectedAt,
        initialLookbackDays: auth.initialLookbackDays,
        windowHours: deps.windowHours,
        watermark: schedule.watermark,
        lastSweepAt: schedule.lastSweepAt,
        sweepEveryHours: deps.sweepEveryHours ?? 0,
      });
      members.push({ storeId, store, auth, schedule, trigger: manual ? 'manual' : 'schedule', planned });
    }
    // One after the other: the sequences of one authorization share its rate budget.
    for (const seq of planSequences(members)) Object.assign(outcomes, await runSequence(seq, signal));
    return outcomes;
  };

  return {
    pullGroup,
    /** Several stores at once, with one trigger (tests, tools): grouped as the scheduler would. */
    pullStores: (storeIds: readonly string[], trigger: 'schedule' | 'manual', signal?: AbortSignal) => pullGroup(storeIds.map((storeId) => ({ storeId, manual: trigger === 'manual' })), signal),
    /** One store alone (its marketplace only). */
    pullStore: async (storeId: string, trigger: 'schedule' | 'manual', signal?: AbortSignal): Promise<PullOutcome> =>
      (await pullGroup([{ storeId, manual: trigger === 'manual' }], signal))[storeId]!,
  };
};

export type PullService = ReturnType<typeof pullService>;
