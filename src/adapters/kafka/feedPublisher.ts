import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { EventBatch, EventStore, RecordedEvent } from '../../domain/ports/eventStore.js';
import type { Database } from '../../domain/ports/sql.js';
import { FeedMappingError, feedMessagesOf, type FeedMessage, type FeedSource } from '../../domain/warehouse/feedMessage.js';
import { fencedCheckpoint } from '../feed/fencedCheckpoint.js';
import { sqlLease } from '../feed/lease.js';
import { backoffDelay, sleep } from '../shared/timers.js';
import { chunkRecords, feedRecord } from './feedRecords.js';
import { readAhead } from './readAhead.js';
import { kafkaPort } from './kafkaPort.js';
import { isBrokerUnreachable, type FeedProducer, type KafkaClientKind } from './port.js';

/**
 * Publishes a feed (the warehouse hand-off) from the event store to Kafka, at least once, in order
 * per key.
 *
 * - One active publisher across instances: a lease in PostgreSQL (sqlLease). Only the holder reads
 *   and sends; the others stand by and take over when it releases the lease (stop) or lets it expire
 *   (crash). The holder renews every leaseMs/3 and stops sending when it could not renew in time.
 * - Per batch of events: map to messages, send them with one awaited send at a time (never
 *   concurrent sends: kafkajs's idempotent producer can reorder or lose messages under concurrent
 *   sends), and only after the broker acknowledged (acks = all) store the checkpoint — fenced by
 *   the lease epoch, so an instance that lost the lease never moves it.
 * - A crash between the ack and the checkpoint re-sends that batch after restart with the same
 *   message ids (the mapping is deterministic): consumers de-duplicate on `message-id`.
 * - Order: an order's events are in global order, sends are sequential and the key is the order id,
 *   so an order's messages reach its partition in order. After any failed send the producer is
 *   replaced and the batch re-sent from the checkpoint: that can duplicate, never reorder, the first
 *   delivery of each message.
 * - Broker away: every Kafka call fails within seconds (bounded retries); the publisher backs off,
 *   retries, reports brokerUp = false, and never moves the checkpoint past what was acknowledged.
 *
 * No Kafka transactions (transactionalId): a stale holder whose send outlives its lease can only
 * repeat messages — every publisher sends, in order, from a checkpoint that moved only after acks —
 * so first deliveries stay in order. Fencing it at the broker would only save duplicates consumers
 * must handle anyway (the crash case above), and would make every consumer depend on read_committed
 * and on a crashed publisher's open transaction being aborted before later messages show.
 */
export type KafkaFeedPublisherOptions = Readonly<{
  db: Database;
  store: EventStore;
  source: FeedSource;
  kafka: Readonly<{
    brokers: readonly string[];
    topic: string;
    partitions: number;
    replicationFactor: number;
    clientId?: string;
    connectionTimeoutMs?: number;
    requestTimeoutMs?: number;
    /** The Kafka client library (KAFKA_CLIENT); default @platformatic/kafka. */
    client?: KafkaClientKind;
  }>;
  log: Logger;
  /** Name of the checkpoint row and of the lease; default `feed:kafka:<source.name>`. */
  name?: string;
  /**
   * This instance's identity in the lease; default `<host>:<pid>:<random>`. Must be unique per
   * running instance: two instances with one identity would both hold the lease.
   */
  holderId?: string;
  /** Lease time-to-live: how long a crashed holder blocks the others. Default 15 s. */
  leaseMs?: number;
  /** Events read (and sent) per batch; default 200. */
  maxBatch?: number;
  /** Batches read and mapped ahead while earlier ones are sent; default 2. */
  lookahead?: number;
  /** Events at most in one group of ready batches sent together before one checkpoint; default 4 × maxBatch. */
  maxGroupEvents?: number;
  /** Bytes per producer send (a batch may take several sends, one after the other); default 512 KiB. */
  maxSendBytes?: number;
  /** Longest pause between retries; default 10 s. */
  maxBackoffMs?: number;
  /** How often broker reachability is checked when nothing was sent; default 5 s. */
  brokerProbeMs?: number;
  /** An empty batch only moves the checkpoint past filtered-out events: store it at most this often. */
  emptyCheckpointEveryMs?: number;
  /** On stop, how long a send in flight may take before the producer is cut off; default 5 s. */
  stopGraceMs?: number;
  /**
   * Called after the broker acknowledged a batch and before its checkpoint is stored, once per event
   * that gave messages: latency from the event's recordedAt to the ack, and its message count.
   */
  onPublished?: (latencyMs: number, count: number) => void;
  now?: () => Date;
}>;

export type FeedPublisherStatus = Readonly<{
  name: string;
  topic: string;
  holder: string;
  running: boolean;
  /** This instance holds the lease and publishes. */
  leader: boolean;
  /** Where the feed is (opaque event-store checkpoint), null = at the start. */
  checkpoint: string | null;
  /** Age of the oldest event not published yet, in ms (0 when caught up). */
  lagMs: number;
  /** Messages acknowledged by the broker through this instance since it started. */
  published: number;
  lastAckAt: string | null;
  /** The broker answered the last call or probe (meaningful once the first one finished). */
  brokerUp: boolean;
  /** The last failure, cleared by the next successful batch. */
  lastError: string | null;
}>;

export type FeedPublisherStats = Readonly<{
  published: number;
  batches: number;
  sends: number;
  failures: number;
  lastAckAt: string | null;
}>;

type Prepared = Readonly<{ batch: EventBatch; messages: FeedMessage[][] }>;

/** The lease changed hands (or could not be renewed in time): stop publishing at once. */
class LeaseLost extends Error {}
/** The stored checkpoint is not where this publisher left it (reset by hand?): read it again. */
class CheckpointMoved extends Error {}

const positiveInt = (value: number, what: string) => {
  if (!Number.isInteger(value) || value < 1) throw new Error(`kafkaFeedPublisher: ${what} must be a positive integer`);
};

export const kafkaFeedPublisher = (opts: KafkaFeedPublisherOptions) => {
  const { db, store, source, log } = opts;
  const { topic, partitions, replicationFactor } = opts.kafka;
  if (opts.kafka.brokers.length === 0) throw new Error('kafkaFeedPublisher: no brokers');
  if (!topic) throw new Error('kafkaFeedPublisher: no topic');
  positiveInt(partitions, 'partitions');
  positiveInt(replicationFactor, 'replicationFactor');
  const name = opts.name ?? `feed:kafka:${source.name}`;
  const holder = opts.holderId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = opts.leaseMs ?? 15_000;
  const maxBatch = opts.maxBatch ?? 200;
  const maxSendBytes = opts.maxSendBytes ?? 512 * 1024;
  const lookahead = opts.lookahead ?? 2;
  const maxGroupEvents = opts.maxGroupEvents ?? 4 * maxBatch;
  const maxBackoffMs = opts.maxBackoffMs ?? 10_000;
  const probeMs = opts.brokerProbeMs ?? 5000;
  const emptyEvery = opts.emptyCheckpointEveryMs ?? 1000;
  const stopGraceMs = opts.stopGraceMs ?? 5000;
  const requestTimeoutMs = opts.kafka.requestTimeoutMs ?? 30_000;
  const now = opts.now ?? (() => new Date());
  positiveInt(leaseMs, 'leaseMs');
  positiveInt(maxBatch, 'maxBatch');
  positiveInt(lookahead, 'lookahead');
  positiveInt(maxGroupEvents, 'maxGroupEvents');

  const lease = sqlLease({ db, name, holder, ttlMs: leaseMs });
  const checkpoints = fencedCheckpoint(db, name, lease);
  const kafka = kafkaPort({
    kind: opts.kafka.client,
    brokers: opts.kafka.brokers,
    clientId: opts.kafka.clientId ?? 'oms-feed',
    log: log.child({ component: 'kafka' }),
    ...(opts.kafka.connectionTimeoutMs ? { connectionTimeoutMs: opts.kafka.connectionTimeoutMs } : {}),
    requestTimeoutMs,
  });
  const ctx = { feed: name, topic };

  const state = {
    leader: false,
    brokerUp: false,
    lastKafkaOkAt: Number.NEGATIVE_INFINITY,
    lastError: null as string | null,
    /** performance.now() until which the lease is surely ours (measured from before the renewal). */
    validUntil: 0,
    topicReady: false,
  };
  const stats = { published: 0, batches: 0, sends: 0, failures: 0, lastAckAt: null as string | null };
  let producer: FeedProducer | null = null;
  let running: { controller: AbortController; done: Promise<void> } | null = null;

  const kafkaOk = () => {
    state.brokerUp = true;
    state.lastKafkaOkAt = performance.now();
  };

  const recordFailure = (error: unknown, what: string, attempt: number) => {
    stats.failures++;
    const message = error instanceof Error ? error.message : String(error);
    state.lastError = `${what}: ${message}`.slice(0, 500);
    if (isBrokerUnreachable(error)) state.brokerUp = false;
    // A mapping error is a bug that waiting will not cure: say so loudly (the feed stays stopped at it).
    const level = error instanceof FeedMappingError ? 'error' : 'warn';
    log[level]({ ...ctx, err: error, attempt, brokerUp: state.brokerUp }, `feed publisher: ${what} failed; retrying`);
  };

  const connectedProducer = async (): Promise<FeedProducer> => {
    // Idempotent, acks = all, one request in flight, bounded retries (a send fails within
    // seconds; this loop replaces the producer and re-sends from the checkpoint).
    producer ??= await kafka.producer();
    return producer;
  };

  /** After a failed send the producer's sequence numbers are unknown: start over with a new one. */
  const dropProducer = async () => {
    const p = producer;
    producer = null;
    if (p) await p.close().catch(() => undefined);
  };

  const publish = async (events: readonly RecordedEvent[], messages: readonly FeedMessage[][]) => {
    const records = messages.flat().map(feedRecord);
    const p = await connectedProducer();
    for (const chunk of chunkRecords(records, maxSendBytes)) {
      await p.send(topic, chunk, requestTimeoutMs);
      stats.sends++;
    }
    kafkaOk();
    const ackAt = Date.now();
    stats.published += records.length;
    stats.lastAckAt = new Date(ackAt).toISOString();
    if (!opts.onPublished) return;
    events.forEach((event, i) => {
      const count = messages[i]?.length ?? 0;
      if (count === 0) return;
      try {
        opts.onPublished?.(Math.max(0, ackAt - Date.parse(event.recordedAt)), count);
      } catch (error) {
        log.warn({ ...ctx, err: error }, 'feed publisher: onPublished hook threw');
      }
    });
  };

  /** Publish from the stored checkpoint until the signal aborts; throws on any failure. */
  const publishFromCheckpoint = async (epoch: number, signal: AbortSignal, onProgress: () => void) => {
    if (!state.topicReady) {
      await kafka.ensureTopic({ topic, partitions, replicationFactor }, log);
      state.topicReady = true;
      kafkaOk();
    }
    await connectedProducer();
    kafkaOk();
    await checkpoints.ensure();
    let stored = (await checkpoints.read())?.checkpoint ?? null;
    let lastEmptySave = 0;
    // Two stages: while batches are sent (and their checkpoint stored), the next ones are already
    // read and mapped. Batches mapped by the time a send starts go out together (one group: its
    // sends one after the other, then one checkpoint at the group's end), so a backlog pays the
    // broker round trip and the checkpoint write once per group, not once per batch. Sends stay
    // strictly sequential, and a checkpoint only ever moves past what the broker acknowledged.
    const batches = store.subscribe({ after: stored, filter: source.filter, maxBatch, signal })[Symbol.asyncIterator]();
    const ahead = readAhead<Prepared>(async () => {
      const next = await batches.next();
      if (next.done) return null;
      const batch = next.value;
      return { batch, messages: await Promise.all(batch.events.map((event) => feedMessagesOf(source, event))) };
    }, lookahead);
    try {
      for (;;) {
        const first = await ahead.take();
        if (first === null || signal.aborted) return;
        const group = [first];
        for (let events = first.batch.events.length; events < maxGroupEvents; ) {
          const more = ahead.takeIfReady();
          if (!more) break;
          group.push(more);
          events += more.batch.events.length;
        }
        const last = group.at(-1)!.batch;
        const events = group.flatMap((g) => g.batch.events);
        if (events.length === 0) {
          if (Date.now() - lastEmptySave < emptyEvery) continue;
          lastEmptySave = Date.now();
        }
        const messages = group.flatMap((g) => g.messages);
        if (messages.some((m) => m.length > 0)) {
          if (performance.now() >= state.validUntil) throw new LeaseLost('lease not renewed in time');
          await publish(events, messages);
        }
        const result = await checkpoints.advance({
          epoch,
          expected: stored,
          next: last.checkpoint,
          events: events.length,
          lastEventAt: events.at(-1)?.recordedAt ?? null,
        });
        if (result === 'lease_lost') throw new LeaseLost('lease taken by another instance');
        if (result === 'moved') throw new CheckpointMoved('checkpoint moved by someone else');
        stored = last.checkpoint;
        stats.batches += group.length;
        state.lastError = null;
        onProgress();
      }
    } finally {
      ahead.stop();
      // Ends the subscription (its LISTEN); waits at most for a read in flight to finish.
      await batches.return?.();
    }
  };

  /** Renew every leaseMs/3; abort the session when the lease is gone or could not be renewed in time. */
  const keepLease = async (epoch: number, session: AbortController) => {
    while (!session.signal.aborted) {
      await sleep(Math.max(50, Math.floor(leaseMs / 3)), session.signal);
      if (session.signal.aborted) return;
      const started = performance.now();
      try {
        if (await lease.renew(epoch)) {
          state.validUntil = started + leaseMs;
          continue;
        }
        log.warn({ ...ctx, holder, epoch }, 'feed publisher: lease taken by another instance; stopping');
      } catch (error) {
        if (performance.now() < state.validUntil) {
          log.warn({ ...ctx, err: error }, 'feed publisher: lease renewal failed; retrying');
          continue;
        }
        log.warn({ ...ctx, err: error }, 'feed publisher: lease not renewed in time; stopping');
      }
      session.abort();
      return;
    }
  };

  /** Publish while holding the lease at `epoch`; returns when it is lost or on stop. */
  const lead = async (epoch: number, acquiredAt: number, stop: AbortSignal) => {
    const session = new AbortController();
    const onStop = () => session.abort();
    stop.addEventListener('abort', onStop, { once: true });
    state.validUntil = acquiredAt + leaseMs;
    state.leader = true;
    log.info({ ...ctx, holder, epoch }, 'feed publisher holds the lease: publishing');
    const keeper = keepLease(epoch, session);
    let attempt = 0;
    try {
      while (!session.signal.aborted) {
        try {
          await publishFromCheckpoint(epoch, session.signal, () => (attempt = 0));
        } catch (error) {
          if (error instanceof LeaseLost) {
            log.warn({ ...ctx, holder, epoch, reason: error.message }, 'feed publisher: lease lost');
            break;
          }
          await dropProducer();
          if (session.signal.aborted) break;
          attempt++;
          // Check the topic again next time: it may have been deleted underneath.
          state.topicReady = false;
          recordFailure(error, 'publishing', attempt);
          await sleep(backoffDelay(attempt, 200, maxBackoffMs), session.signal);
        }
      }
    } finally {
      session.abort();
      stop.removeEventListener('abort', onStop);
      await keeper;
      state.leader = false;
      await dropProducer();
      if (stop.aborted) {
        await lease.release(epoch).catch((error: unknown) => log.warn({ ...ctx, err: error }, 'feed publisher: could not release the lease'));
      }
    }
  };

  const run = async (stop: AbortSignal) => {
    let attempt = 0;
    let standing = false;
    while (!stop.aborted) {
      try {
        const started = performance.now();
        const epoch = await lease.acquire();
        attempt = 0;
        if (epoch === null) {
          if (!standing) log.info({ ...ctx, holder }, 'feed publisher: another instance holds the lease; standing by');
          standing = true;
          await sleep(Math.max(50, Math.floor(leaseMs / 3)), stop);
          continue;
        }
        standing = false;
        await lead(epoch, started, stop);
      } catch (error) {
        if (stop.aborted) break;
        attempt++;
        recordFailure(error, 'taking the lease', attempt);
        await sleep(backoffDelay(attempt, 200, maxBackoffMs), stop);
      }
    }
  };

  /** Keep brokerUp honest while nothing is being sent (and on instances standing by). */
  const probeBroker = async (stop: AbortSignal) => {
    while (!stop.aborted) {
      if (performance.now() - state.lastKafkaOkAt >= probeMs) {
        try {
          await kafka.probe();
          kafkaOk();
        } catch (error) {
          if (isBrokerUnreachable(error)) state.brokerUp = false;
          log.debug({ ...ctx, err: error }, 'feed publisher: broker probe failed');
        }
      }
      await sleep(probeMs, stop);
    }
  };

  return {
    name,
    holder,

    /** Start publishing (or standing by); never throws for an unreachable database or broker. */
    start: async (): Promise<void> => {
      if (running) return;
      const controller = new AbortController();
      const done = Promise.all([run(controller.signal), probeBroker(controller.signal)])
        .then(() => undefined)
        .catch((error: unknown) => log.error({ ...ctx, err: error }, 'feed publisher crashed'));
      running = { controller, done };
    },

    /** Finish the batch in flight (send and checkpoint), release the lease, disconnect. */
    stop: async (): Promise<void> => {
      const current = running;
      if (!current) return;
      running = null;
      current.controller.abort();
      // A send stuck on an unreachable broker is cut off: its batch is re-sent by the next holder.
      const timer = setTimeout(() => void dropProducer(), stopGraceMs);
      await current.done;
      clearTimeout(timer);
    },

    status: async (): Promise<FeedPublisherStatus> => {
      const row = await checkpoints.read();
      const checkpoint = row?.checkpoint ?? null;
      const next = await store.readAll(checkpoint, { maxCount: 1, filter: source.filter });
      const oldest = next.events[0];
      return {
        name,
        topic,
        holder,
        running: running !== null,
        leader: state.leader,
        checkpoint,
        lagMs: oldest ? Math.max(0, now().getTime() - Date.parse(oldest.recordedAt)) : 0,
        published: stats.published,
        lastAckAt: stats.lastAckAt,
        brokerUp: state.brokerUp,
        lastError: state.lastError,
      };
    },

    /** In-process counters for /metrics. */
    stats: (): FeedPublisherStats => ({ ...stats }),
  };
};

export type KafkaFeedPublisher = ReturnType<typeof kafkaFeedPublisher>;
