import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError as EsdbUnavailableError,
  DeadlineExceededError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type Filter,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type {
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
import { ConcurrencyError, UnavailableError } from '../../domain/shared/errors.js';

/**
 * The event store on EventStoreDB / KurrentDB through @eventstore/db-client.
 * - Checkpoints are `esdb:<commit>:<prepare>` ($all positions).
 * - There is no multi-stream transaction: appendMany is a sequence of idempotent appends.
 * - Idempotency is exact for a numeric expected version or no_stream (we check the ids at that
 *   place first); with 'any' it is the server's best effort.
 */
export type EsdbEventStoreOptions = Readonly<{ connectionString: string; appendConcurrency?: number }>;

const toCheckpoint = (p: Position): Checkpoint => `esdb:${p.commit}:${p.prepare}` as Checkpoint;

const toPosition = (cp: Checkpoint): Position => {
  const m = /^esdb:(\d+):(\d+)$/.exec(cp);
  if (!m) throw new Error(`not an EventStoreDB checkpoint: ${cp}`);
  return { commit: BigInt(m[1]!), prepare: BigInt(m[2]!) };
};

const toExpected = (e: ExpectedVersion): AppendExpectedRevision =>
  e === 'any' ? ANY : e === 'no_stream' ? NO_STREAM : e === 'stream_exists' ? STREAM_EXISTS : BigInt(e);

const isSystem = (streamId: string, type: string) => streamId.startsWith('$') || type.startsWith('$');

const matches = (filter: EventFilter | undefined, streamId: string, type: string) =>
  (!filter?.streamPrefixes?.length || filter.streamPrefixes.some((p) => streamId.startsWith(p))) &&
  (!filter?.eventTypes?.length || filter.eventTypes.includes(type));

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Translate vendor errors into ours; everything else passes through unchanged. */
const translate = (error: unknown, streamId?: string, expected?: ExpectedVersion): unknown => {
  if (error instanceof WrongExpectedVersionError) {
    return new ConcurrencyError(streamId ?? error.streamName, String(expected ?? error.expectedVersion), String(error.actualVersion));
  }
  if (error instanceof EsdbUnavailableError || error instanceof DeadlineExceededError) {
    return new UnavailableError('eventstoredb', `EventStoreDB unavailable: ${error.message}`);
  }
  return error;
};

const toRecorded = (resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | null => {
  const e = resolved.event;
  if (!e) return null;
  const position = (e as { position?: Position }).position ?? (resolved as { commitPosition?: bigint }).commitPosition;
  const cp =
    position && typeof position === 'object' ? toCheckpoint(position) : (`esdb:${position ?? 0}:${position ?? 0}` as Checkpoint);
  return {
    id: e.id,
    streamId: e.streamId,
    revision: Number(e.revision),
    type: e.type,
    data: e.isJson ? e.data : null,
    metadata: (e.metadata ?? {}) as RecordedEvent['metadata'],
    recordedAt: e.created.toISOString(),
    checkpoint: cp,
  };
};

const serverFilter = (filter: EventFilter | undefined, onCheckpoint: Filter['checkpointReached']): Filter => {
  const common = { checkpointInterval: 1, ...(onCheckpoint ? { checkpointReached: onCheckpoint } : {}) };
  if (filter?.streamPrefixes?.length) return streamNameFilter({ prefixes: [...filter.streamPrefixes], ...common });
  if (filter?.eventTypes?.length) {
    return eventTypeFilter({ regex: `^(${filter.eventTypes.map(escapeRegex).join('|')})$`, ...common });
  }
  return excludeSystemEvents(common);
};

export const esdbEventStore = (opts: EsdbEventStoreOptions): EventStore => {
  const client = EventStoreDBClient.connectionString(opts.connectionString);
  const concurrency = opts.appendConcurrency ?? 16;

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
      throw translate(error, streamId);
    }
    return out;
  };

  /** Are these exact events already at the place `expected` names? (exact idempotency) */
  const alreadyAppended = async (streamId: string, events: readonly NewEvent[], expected: ExpectedVersion) => {
    if (expected !== 'no_stream' && typeof expected !== 'number') return null;
    const from = expected === 'no_stream' ? 0 : expected + 1;
    const there = await readStream(streamId, { fromRevision: from, maxCount: events.length });
    if (there.length === 0) return null;
    const same = there.length === events.length && there.every((e, i) => e.id === events[i]!.id.toLowerCase());
    if (!same) throw new ConcurrencyError(streamId, String(expected), 'events partly present or different');
    return { nextRevision: there.at(-1)!.revision, appended: false };
  };

  const append = async (streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> => {
    const existing = events.length ? await alreadyAppended(streamId, events, expected) : null;
    if (existing) return existing;
    try {
      const result = await client.appendToStream(
        streamId,
        events.map((e) => jsonEvent({ id: e.id, type: e.type, data: (e.data ?? null) as never, metadata: (e.metadata ?? {}) as never })),
        { expectedRevision: toExpected(expected) },
      );
      return { nextRevision: Number(result.nextExpectedRevision), appended: events.length > 0 };
    } catch (error) {
      throw translate(error, streamId, expected);
    }
  };

  const readAll = async (after: Checkpoint | null, options: { maxCount?: number; filter?: EventFilter } = {}): Promise<EventBatch> => {
    const limit = options.maxCount ?? 500;
    const events: RecordedEvent[] = [];
    let checkpoint = after;
    let from: Position | typeof START = after ? toPosition(after) : START;
    // v6 readAll has no server-side filter: scan pages and filter here, moving the checkpoint past
    // what was scanned so a caller never re-reads filtered-out events.
    for (;;) {
      let scanned = 0;
      try {
        for await (const resolved of client.readAll({ fromPosition: from, maxCount: limit + 1, direction: FORWARDS })) {
          const e = resolved.event;
          if (!e) continue;
          const cp = toCheckpoint(e.position);
          if (cp === checkpoint) continue; // readAll's start is inclusive
          scanned++;
          checkpoint = cp;
          from = e.position;
          if (isSystem(e.streamId, e.type) || !matches(options.filter, e.streamId, e.type)) continue;
          events.push(toRecorded(resolved)!);
          if (events.length >= limit) return { events, checkpoint };
        }
      } catch (error) {
        throw translate(error);
      }
      if (scanned === 0) return { events, checkpoint };
    }
  };

  async function* subscribe(options: SubscribeOptions): AsyncGenerator<EventBatch> {
    const maxBatch = options.maxBatch ?? 500;
    const buffer: EventBatch[] = [];
    let failure: unknown = null;
    let ended = false;
    let notify: (() => void) | null = null;
    const poke = () => {
      notify?.();
      notify = null;
    };
    let lastCheckpoint = options.after;
    const subscription = client.subscribeToAll({
      fromPosition: options.after ? toPosition(options.after) : START,
      filter: serverFilter(options.filter, (_sub, position) => {
        // The server scanned this far without a match: the consumer may store this checkpoint.
        buffer.push({ events: [], checkpoint: toCheckpoint(position) });
        poke();
      }),
    });
    subscription.on('data', (resolved: AllStreamResolvedEvent) => {
      const r = toRecorded(resolved);
      if (!r || isSystem(r.streamId, r.type) || !matches(options.filter, r.streamId, r.type)) return;
      buffer.push({ events: [r], checkpoint: r.checkpoint });
      poke();
    });
    subscription.on('error', (error) => {
      failure = translate(error);
      poke();
    });
    subscription.on('end', () => {
      ended = true;
      poke();
    });
    const onAbort = () => poke();
    options.signal?.addEventListener('abort', onAbort);
    try {
      while (!options.signal?.aborted) {
        if (buffer.length === 0) {
          if (failure) throw failure;
          if (ended) return;
          await new Promise<void>((r) => (notify = r));
          continue;
        }
        const events: RecordedEvent[] = [];
        let checkpoint = lastCheckpoint;
        while (buffer.length && events.length < maxBatch) {
          const next = buffer.shift()!;
          events.push(...next.events);
          checkpoint = next.checkpoint;
        }
        if (events.length || checkpoint !== lastCheckpoint) {
          lastCheckpoint = checkpoint;
          yield { events, checkpoint };
        }
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      await subscription.unsubscribe().catch(() => undefined);
    }
  }

  return {
    guarantees: { atomicMultiStreamAppend: false, idempotentAppendWithAny: false },
    append,
    appendMany: async (requests) => {
      const results: AppendResult[] = new Array(requests.length);
      let next = 0;
      const worker = async () => {
        while (next < requests.length) {
          const i = next++;
          const r = requests[i]!;
          results[i] = await append(r.streamId, r.events, r.expected);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
      return results;
    },
    readStream,
    // EventStoreDB has no multi-stream read: the reads run concurrently over the one connection.
    readStreams: async (streamIds) => new Map(await Promise.all([...new Set(streamIds)].map(async (id) => [id, await readStream(id)] as const))),
    readAll,
    subscribe: (options) => subscribe(options),
    headCheckpoint: async () => {
      try {
        for await (const resolved of client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 200 })) {
          const e = resolved.event;
          if (e && !isSystem(e.streamId, e.type)) return toCheckpoint(e.position);
        }
      } catch (error) {
        throw translate(error);
      }
      return null;
    },
    countAfter: async () => null,
    // One log, one writer: an acknowledged append is readable at once.
    awaitVisible: async () => undefined,
    close: () => client.dispose(),
  };
};
