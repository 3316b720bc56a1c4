import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { EventStore, RecordedEvent } from '../../domain/ports/eventStore.js';
import type { Database } from '../../domain/ports/sql.js';
import { FeedMappingError, feedMessagesOf, type FeedMessage, type FeedSource } from '../../domain/warehouse/feedMessage.js';
import { fencedCheckpoint } from '../feed/fencedCheckpoint.js';
import { eventProcessor, type ProcessorMetrics } from '../processing/processor.js';
import { oldestUnhandledAgeMs } from '../processing/processorStatus.js';
import { publishSink } from '../processing/publishSink.js';
import { sleep } from '../shared/timers.js';
import { chunkRecords, feedRecord } from './feedRecords.js';
import { kafkaPort } from './kafkaPort.js';
import { isBrokerUnreachable, type FeedProducer, type KafkaClientKind } from './port.js';

/**
 * Publishes a feed (the warehouse hand-off) from the event store to Kafka, at least once, in order
 * per key: the event-processing runtime (src/adapters/processing, docs/processing.md) with a publish
 * sink and a lease; this module holds the Kafka side (topic, producer, sends, broker status).
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
  /** The runtime's batch and retry hooks (processor metrics on /metrics). */
  metrics?: ProcessorMetrics;
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
  const probeMs = opts.brokerProbeMs ?? 5000;
  const stopGraceMs = opts.stopGraceMs ?? 5000;
  const requestTimeoutMs = opts.kafka.requestTimeoutMs ?? 30_000;
  const now = opts.now ?? (() => new Date());
  positiveInt(leaseMs, 'leaseMs');
  positiveInt(maxBatch, 'maxBatch');
  positiveInt(lookahead, 'lookahead');
  positiveInt(maxGroupEvents, 'maxGroupEvents');

  const checkpoints = fencedCheckpoint(db, name, { name, holder });
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
    brokerUp: false,
    lastKafkaOkAt: Number.NEGATIVE_INFINITY,
    lastError: null as string | null,
    topicReady: false,
  };
  const stats = { published: 0, sends: 0, failures: 0, lastAckAt: null as string | null };
  let producer: FeedProducer | null = null;
  let probing: { controller: AbortController; done: Promise<void> } | null = null;

  const kafkaOk = () => {
    state.brokerUp = true;
    state.lastKafkaOkAt = performance.now();
  };

  const connectedProducer = async (): Promise<FeedProducer> => {
    // Idempotent, acks = all, one request in flight, bounded retries (a send fails within
    // seconds; the runtime then backs off and re-sends from the checkpoint with a new producer).
    producer ??= await kafka.producer();
    return producer;
  };

  /** After a failed send the producer's sequence numbers are unknown: start over with a new one. */
  const dropProducer = async () => {
    const p = producer;
    producer = null;
    if (p) await p.close().catch(() => undefined);
  };

  /** Any failed attempt: a new producer, the topic checked again (it may have been deleted underneath). */
  const interrupted = (error: unknown, attempt: number) => {
    void dropProducer();
    state.topicReady = false;
    stats.failures++;
    const message = error instanceof Error ? error.message : String(error);
    state.lastError = `publishing: ${message}`.slice(0, 500);
    if (isBrokerUnreachable(error)) state.brokerUp = false;
    // A mapping error is a bug that waiting will not cure: say so loudly (the feed stays stopped at it).
    const level = error instanceof FeedMappingError ? 'error' : 'warn';
    log[level]({ ...ctx, err: error, attempt, brokerUp: state.brokerUp }, 'feed publisher: publishing failed; retrying');
  };

  /** Send every message, one send after the other, and resolve once the broker acknowledged them all. */
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

  const processor = eventProcessor({
    name,
    store,
    filter: source.filter,
    log,
    maxBatch,
    readAhead: lookahead,
    emptyCheckpointEveryMs: opts.emptyCheckpointEveryMs ?? 1000,
    lease: { db, holder, ttlMs: leaseMs },
    backoff: { baseMs: 200, maxMs: opts.maxBackoffMs ?? 10_000 },
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    sink: publishSink<FeedMessage>({
      db,
      name,
      connect: async () => {
        if (!state.topicReady) {
          await kafka.ensureTopic({ topic, partitions, replicationFactor }, log);
          state.topicReady = true;
        }
        await connectedProducer();
        kafkaOk();
      },
      messagesOf: (events) => Promise.all(events.map((event) => feedMessagesOf(source, event))),
      publish,
      maxGroupEvents,
      onApplied: () => (state.lastError = null),
      interrupted,
    }),
  });

  /** Keep brokerUp honest while nothing is being sent (and on instances standing by); close a standby's producer. */
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
      // Standing by (the lease is another instance's): no producer kept open; the next round makes one.
      if (producer && processor.status().leaseEpoch === null) await dropProducer();
      await sleep(probeMs, stop);
    }
  };

  return {
    name,
    holder,

    /** Start publishing (or standing by); never throws for an unreachable database or broker. */
    start: async (): Promise<void> => {
      if (probing) return;
      const controller = new AbortController();
      probing = { controller, done: probeBroker(controller.signal).catch((error: unknown) => log.error({ ...ctx, err: error }, 'feed publisher: broker probe crashed')) };
      processor.start();
    },

    /** Finish the batch in flight (send and checkpoint), release the lease, disconnect. */
    stop: async (): Promise<void> => {
      const current = probing;
      if (!current) return;
      probing = null;
      current.controller.abort();
      // A send stuck on an unreachable broker is cut off: its batch is re-sent by the next holder.
      const timer = setTimeout(() => void dropProducer(), stopGraceMs);
      await processor.stop();
      clearTimeout(timer);
      await current.done;
      await dropProducer();
    },

    status: async (): Promise<FeedPublisherStatus> => {
      const checkpoint = (await checkpoints.read())?.checkpoint ?? null;
      const p = processor.status();
      return {
        name,
        topic,
        holder,
        running: probing !== null,
        leader: p.leaseEpoch !== null,
        checkpoint,
        lagMs: await oldestUnhandledAgeMs(store, checkpoint, source.filter, now().getTime()),
        published: stats.published,
        lastAckAt: stats.lastAckAt,
        brokerUp: state.brokerUp,
        lastError: state.lastError,
      };
    },

    /** In-process counters for /metrics. */
    stats: (): FeedPublisherStats => ({ ...stats, batches: processor.status().batches }),
  };
};

export type KafkaFeedPublisher = ReturnType<typeof kafkaFeedPublisher>;
