import {
  BACKWARDS,
  END,
  ErrorType,
  FORWARDS,
  KurrentDBClient,
  START,
  StreamNotFoundError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendStreamRequest,
  type Filter,
  type JSONType,
  type Position,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import type {
  AppendRequest,
  AppendResult,
  Checkpoint,
  EventBatch,
  EventFilter,
  EventStore,
  ExpectedVersion,
  NewEvent,
  RecordedEvent,
  SubscribeOptions,
} from '../../domain/ports/eventStore.js';
import { ConcurrencyError } from '../../domain/shared/errors.js';
import { planAppend, runUntilFailure, type AppendPlan } from './esdbAppendPlan.js';
import { isAfter, laterCheckpoint, toCheckpoint, toPosition } from './esdbCheckpoint.js';
import { supportsMultiStreamAppend } from './esdbConnection.js';
import { esdbErrorType, translateEsdbError } from './esdbErrors.js';

/**
 * The event store on KurrentDB / EventStoreDB through @kurrent/kurrentdb-client.
 * - Checkpoints are `esdb:<commit>:<prepare>` ($all positions) and never move backwards.
 * - Appends are exactly idempotent on event ids within the stream's last `idempotencyWindow` events,
 *   `any` included: the tail is read and the append planned (esdbAppendPlan.ts) before writing.
 * - appendMany is one atomic multi-stream append where the server offers it (KurrentDB ≥ 25.1,
 *   detected from the server's version at connect, else on the first try); otherwise a sequence of idempotent
 *   appends that stops at the first failure (re-running the request completes it).
 * - `$all` reads and subscriptions filter on the server; a subscription is read with back-pressure.
 */
export type EsdbEventStoreOptions = Readonly<{
  connectionString: string;
  appendConcurrency?: number;
  /** How many of a stream's last events are checked for ids already appended (default 200). */
  idempotencyWindow?: number;
  /** `off` never tries the server's multi-stream append (default `auto`). */
  atomicAppends?: 'auto' | 'off';
}>;

/** Appends planned against a tail another writer changed meanwhile are planned again, this often. */
const PINNED_RETRIES = 5;
/** Tail reads in flight while planning a multi-stream append. */
const PLAN_CONCURRENCY = 64;

const isSystem = (streamId: string, type: string) => streamId.startsWith('$') || type.startsWith('$');

const matches = (filter: EventFilter | undefined, streamId: string, type: string) =>
  !isSystem(streamId, type) &&
  (!filter?.streamPrefixes?.length || filter.streamPrefixes.some((p) => streamId.startsWith(p))) &&
  (!filter?.eventTypes?.length || filter.eventTypes.includes(type));

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Metadata rides the multi-stream append as one string property (that API takes string values only). */
const METADATA_PROPERTY = 'oms-metadata';

const readMetadata = (raw: unknown): RecordedEvent['metadata'] => {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Uint8Array) return {};
  const packed = (raw as Record<string, unknown>)[METADATA_PROPERTY];
  if (typeof packed === 'string') return JSON.parse(packed) as RecordedEvent['metadata'];
  return raw as RecordedEvent['metadata'];
};

const toRecorded = (resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | null => {
  const e = resolved.event;
  if (!e) return null;
  const position: Position | undefined = e.position ?? (resolved.commitPosition !== undefined ? { commit: resolved.commitPosition, prepare: resolved.commitPosition } : undefined);
  return {
    id: e.id,
    streamId: e.streamId,
    revision: Number(e.revision),
    type: e.type,
    data: e.isJson ? e.data : null,
    metadata: readMetadata(e.metadata),
    recordedAt: e.created.toISOString(),
    checkpoint: toCheckpoint(position ?? { commit: 0n, prepare: 0n }),
  };
};

/**
 * The server-side `$all` filter: stream prefixes when given (event types are then checked here),
 * else event types, else everything but system events.
 */
const serverFilter = (filter: EventFilter | undefined, onCheckpoint?: Filter['checkpointReached']): Filter => {
  const common = { checkpointInterval: 1, ...(onCheckpoint ? { checkpointReached: onCheckpoint } : {}) };
  if (filter?.streamPrefixes?.length) return streamNameFilter({ prefixes: [...filter.streamPrefixes], ...common });
  if (filter?.eventTypes?.length) return eventTypeFilter({ regex: `^(${filter.eventTypes.map(escapeRegex).join('|')})$`, ...common });
  return excludeSystemEvents(common);
};

/** A checkpoint the server reached while scanning, pushed into the subscription in order with its events. */
type CheckpointMark = Readonly<{ checkpointReached: Position }>;
const isMark = (item: unknown): item is CheckpointMark => typeof item === 'object' && item !== null && 'checkpointReached' in item;

/** Resolve when the subscription has something to read, ended, failed, or the signal aborted. */
const readable = (sub: AllStreamSubscription, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      sub.off('readable', done).off('end', done).off('error', done).off('close', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    sub.once('readable', done).once('end', done).once('error', done).once('close', done);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * The client takes JSON event data as an object, an array or a string (it sends JSON.stringify of it);
 * every domain event's data is an object, so anything else is a programming error, refused here.
 */
const jsonData = (e: NewEvent): JSONType => {
  const { data } = e;
  if (typeof data === 'string' || Array.isArray(data) || isRecord(data)) return data;
  throw new TypeError(`event ${e.type} (${e.id}): data must be a JSON object, array or string`);
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export const esdbEventStore = (opts: EsdbEventStoreOptions): EventStore => {
  const client = KurrentDBClient.connectionString(opts.connectionString);
  const concurrency = opts.appendConcurrency ?? 16;
  const window = opts.idempotencyWindow ?? 200;
  /** Atomic multi-stream appends: null until known (the server's version at connect, or the first try). */
  let atomic: boolean | null = opts.atomicAppends === 'off' ? false : null;
  // At connect: the server's version, from the features call the client makes anyway (its
  // `capabilities` is not in the typings). A failure leaves it unknown; the first multi-stream
  // append then asks (the client raises UnsupportedError below 25.1).
  const detected: Promise<void> =
    atomic === false
      ? Promise.resolve()
      : (client as unknown as { capabilities: Promise<{ serverVersion: string }> }).capabilities.then(
          (features) => {
            atomic ??= supportsMultiStreamAppend(features.serverVersion);
          },
          () => undefined,
        );

  const readStream = async (streamId: string, options: { fromRevision?: number; maxCount?: number } = {}) => {
    const out: RecordedEvent[] = [];
    try {
      for await (const resolved of client.readStream(streamId, {
        direction: FORWARDS,
        fromRevision: options.fromRevision ? BigInt(options.fromRevision) : START,
        ...(options.maxCount ? { maxCount: options.maxCount } : {}),
      })) {
        const r = toRecorded(resolved);
        if (r) out.push(r);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw translateEsdbError(error, streamId);
    }
    return out;
  };

  /** The stream's last events (ids and revisions) and its current revision (null: no stream). */
  const readTail = async (streamId: string, size: number) => {
    const tail: { id: string; revision: number }[] = [];
    try {
      for await (const resolved of client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: size })) {
        if (resolved.event) tail.push({ id: resolved.event.id, revision: Number(resolved.event.revision) });
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return { tail, current: null };
      throw translateEsdbError(error, streamId);
    }
    tail.reverse();
    return { tail, current: tail.at(-1)?.revision ?? null };
  };

  const plan = async (req: AppendRequest): Promise<AppendPlan> => {
    const { tail, current } = await readTail(req.streamId, Math.max(window, req.events.length));
    return planAppend(tail, current, req.events.map((e) => e.id), req.expected);
  };

  const conflict = (req: AppendRequest, p: Extract<AppendPlan, { kind: 'conflict' }>) =>
    new ConcurrencyError(req.streamId, String(req.expected), `${p.actual} (${p.reason})`);

  const toEventData = (e: NewEvent, packMetadata: boolean) =>
    jsonEvent({
      id: e.id,
      type: e.type,
      data: jsonData(e),
      metadata: packMetadata ? { [METADATA_PROPERTY]: JSON.stringify(e.metadata ?? {}) } : { ...e.metadata },
    });

  const isWrongVersion = (error: unknown) => esdbErrorType(error) === ErrorType.WRONG_EXPECTED_VERSION;

  const append = async (streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> => {
    const req = { streamId, events, expected };
    // Refused before any read or write: a programming error must not look like a server outage.
    events.forEach(jsonData);
    for (let attempt = 1; ; attempt++) {
      const p = await plan(req);
      if (p.kind === 'noop') return { nextRevision: p.nextRevision, appended: false };
      if (p.kind === 'conflict') throw conflict(req, p);
      try {
        const result = await client.appendToStream(
          streamId,
          events.map((e) => toEventData(e, false)),
          { streamState: p.expected === 'no_stream' ? 'no_stream' : BigInt(p.expected) },
        );
        return { nextRevision: Number(result.nextExpectedRevision), appended: true };
      } catch (error) {
        // `any` was pinned to the revision read: another writer got in between, so read and plan again.
        if (p.pinned && isWrongVersion(error) && attempt < PINNED_RETRIES) continue;
        throw translateEsdbError(error, streamId, expected);
      }
    }
  };

  /** All streams in one server-side transaction (KurrentDB ≥ 25.1); false when the server has no such append. */
  const appendAtomically = async (requests: readonly AppendRequest[]): Promise<readonly AppendResult[] | false> => {
    for (let attempt = 1; ; attempt++) {
      // One tail read per stream, a bounded number at a time (a page can hold thousands of streams).
      const plans = await runUntilFailure(requests, PLAN_CONCURRENCY, plan);
      const refused = plans.findIndex((p) => p.kind === 'conflict');
      if (refused >= 0) throw conflict(requests[refused]!, plans[refused] as Extract<AppendPlan, { kind: 'conflict' }>);
      const toWrite: AppendStreamRequest[] = [];
      plans.forEach((p, i) => {
        if (p.kind !== 'append') return;
        toWrite.push({
          streamName: requests[i]!.streamId,
          events: requests[i]!.events.map((e) => toEventData(e, true)),
          expectedState: p.expected === 'no_stream' ? 'no_stream' : BigInt(p.expected),
        });
      });
      if (toWrite.length === 0) return plans.map((p) => ({ nextRevision: (p as { nextRevision: number }).nextRevision, appended: false }));
      try {
        const result = await client.multiStreamAppend(toWrite);
        atomic = true;
        const revisionOf = new Map(result.responses.map((r) => [r.streamName, Number(r.revision)]));
        return plans.map((p, i) =>
          p.kind === 'noop' ? { nextRevision: p.nextRevision, appended: false } : { nextRevision: revisionOf.get(requests[i]!.streamId) ?? -1, appended: true },
        );
      } catch (error) {
        if (esdbErrorType(error) === ErrorType.UNSUPPORTED) return (atomic = false);
        const pinned = plans.some((p) => p.kind === 'append' && p.pinned);
        if (pinned && (isWrongVersion(error) || esdbErrorType(error) === ErrorType.APPEND_CONSISTENCY_VIOLATION) && attempt < PINNED_RETRIES) continue;
        throw translateEsdbError(error);
      }
    }
  };

  const appendMany = async (requests: readonly AppendRequest[]): Promise<readonly AppendResult[]> => {
    for (const r of requests) r.events.forEach(jsonData);
    await detected;
    const distinct = new Set(requests.map((r) => r.streamId)).size === requests.length;
    if (requests.length > 1 && distinct && atomic !== false) {
      const results = await appendAtomically(requests);
      if (results) return results;
    }
    return runUntilFailure(requests, concurrency, (r) => append(r.streamId, r.events, r.expected));
  };

  const readAll = async (after: Checkpoint | null, options: { maxCount?: number; filter?: EventFilter } = {}): Promise<EventBatch> => {
    const limit = options.maxCount ?? 500;
    const events: RecordedEvent[] = [];
    let checkpoint = after;
    try {
      // The server filters; the start position is inclusive, so one more is asked for and `after` dropped.
      for await (const resolved of client.readAll({
        fromPosition: after ? toPosition(after) : START,
        maxCount: limit + 1,
        direction: FORWARDS,
        filter: serverFilter(options.filter),
      })) {
        const r = toRecorded(resolved);
        if (!r || !isAfter(r.checkpoint, after)) continue;
        checkpoint = laterCheckpoint(checkpoint, r.checkpoint);
        if (!matches(options.filter, r.streamId, r.type)) continue;
        events.push(r);
        if (events.length >= limit) break;
      }
    } catch (error) {
      throw translateEsdbError(error);
    }
    return { events, checkpoint };
  };

  async function* subscribe(options: SubscribeOptions): AsyncGenerator<EventBatch> {
    const maxBatch = options.maxBatch ?? 500;
    let failure: unknown = null;
    // The subscription is a Readable: it holds at most about `maxBatch` events, and the client stops
    // reading from the server while it is full, so catching up on a large $all never buffers it.
    const sub = client.subscribeToAll(
      {
        fromPosition: options.after ? toPosition(options.after) : START,
        filter: serverFilter(options.filter, (subscription, position) => {
          // Pushed in order with the events, so it is taken only after every event before it.
          subscription.push({ checkpointReached: position } satisfies CheckpointMark);
        }),
      },
      { highWaterMark: maxBatch },
    );
    sub.on('error', (error) => (failure ??= translateEsdbError(error)));
    let last = options.after;
    try {
      while (!options.signal?.aborted) {
        const events: RecordedEvent[] = [];
        let checkpoint = last;
        let item: unknown;
        while (events.length < maxBatch && (item = sub.read()) !== null) {
          if (isMark(item)) {
            checkpoint = laterCheckpoint(checkpoint, toCheckpoint(item.checkpointReached));
            continue;
          }
          const r = toRecorded(item as AllStreamResolvedEvent);
          // A stale or repeated delivery (at or before what was handed out) is dropped.
          if (!r || !isAfter(r.checkpoint, checkpoint)) continue;
          checkpoint = r.checkpoint;
          if (matches(options.filter, r.streamId, r.type)) events.push(r);
        }
        if (events.length || checkpoint !== last) {
          last = checkpoint;
          yield { events, checkpoint };
          continue;
        }
        if (failure) throw failure;
        if (sub.readableEnded || sub.destroyed) return;
        await readable(sub, options.signal);
      }
    } finally {
      await sub.unsubscribe().catch(() => undefined);
    }
  }

  return {
    get guarantees() {
      return { atomicMultiStreamAppend: atomic === true, idempotentAppendWithAny: true };
    },
    append,
    appendMany,
    readStream,
    // No multi-stream read on the server: the reads run concurrently over the one connection (a type filter applies after).
    readStreams: async (streamIds, options) => {
      const types = options?.eventTypes ? new Set(options.eventTypes) : null;
      const read = async (id: string) => {
        const events = await readStream(id);
        return [id, types ? events.filter((e) => types.has(e.type)) : events] as const;
      };
      return new Map(await Promise.all([...new Set(streamIds)].map(read)));
    },
    readAll,
    subscribe: (options) => subscribe(options),
    headCheckpoint: async () => {
      try {
        for await (const resolved of client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1, filter: excludeSystemEvents() })) {
          if (resolved.event) return toCheckpoint(resolved.event.position);
        }
      } catch (error) {
        throw translateEsdbError(error);
      }
      return null;
    },
    countAfter: async () => null,
    // One log, one writer: an acknowledged append is readable at once.
    awaitVisible: async () => undefined,
    close: () => client.dispose(),
  };
};
