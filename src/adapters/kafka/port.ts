import type { Logger } from 'pino';
import type { KafkaClientOptions } from './kafkaClient.js';

/**
 * What OMS needs from a Kafka client, so the client library can be chosen (KAFKA_CLIENT) without
 * touching the feed publisher, the warehouse-event consumer or the health checks. Two
 * implementations: kafkajs (kafkajsPort.ts) and @platformatic/kafka (platformaticPort.ts).
 */
export type KafkaClientKind = 'kafkajs' | 'platformatic';
export const KAFKA_CLIENT_KINDS: readonly KafkaClientKind[] = ['kafkajs', 'platformatic'];
/** The default since the comparison in docs/platform.md (as fast or faster, every Kafka test green). */
export const DEFAULT_KAFKA_CLIENT: KafkaClientKind = 'platformatic';

/** The connection settings both clients take (kafkaClient.ts), and which client to use. */
export type KafkaPortOptions = KafkaClientOptions & Readonly<{ kind?: KafkaClientKind }>;

/** One record to produce: the key picks the partition (murmur2, the Java client's formula, in both implementations). */
export type KafkaRecord = Readonly<{ key: string; value: string; headers: Readonly<Record<string, string>> }>;

export type TopicSpec = Readonly<{ topic: string; partitions: number; replicationFactor: number }>;

/**
 * An idempotent producer (acks = all, one request in flight, bounded retries): a send resolves
 * once the broker acknowledged every record, in order per partition. After a failed send its
 * sequence numbers are unknown: close it and take a new one.
 */
export type FeedProducer = Readonly<{
  send: (topic: string, records: readonly KafkaRecord[], timeoutMs: number) => Promise<void>;
  close: () => Promise<void>;
}>;

export type ConsumedMessage = Readonly<{ offset: string; value: Buffer | null }>;
export type ConsumedPayload = Readonly<{ topic: string; partition: number; message: ConsumedMessage }>;

export type GroupRunOptions = Readonly<{
  topic: string;
  groupId: string;
  sessionTimeoutMs: number;
  /**
   * Handles one message at a time, in order per partition; nothing is committed unless it calls
   * `commit` (the message's offset + 1). `heartbeat` keeps the membership during a long retry.
   */
  handle: (payload: ConsumedPayload, ctl: Readonly<{ commit: () => Promise<void>; heartbeat: () => Promise<void> }>) => Promise<void>;
  /** Called once the consumer joined and runs. */
  onRunning: () => void;
  /** A failure the client reports while it keeps running (or before the run ends). */
  onError: (error: unknown) => void;
  signal: AbortSignal;
}>;

export type KafkaPort = Readonly<{
  kind: KafkaClientKind;
  /**
   * Create the topic if it is missing and wait for its partition leaders. An existing topic is left
   * as it is (partitions never change here: keys would move); another partition count is logged.
   */
  ensureTopic: (spec: TopicSpec, log: Logger) => Promise<'created' | 'exists'>;
  /** Answers when a broker answers a metadata request (health checks). */
  probe: () => Promise<void>;
  /** A connected idempotent producer. */
  producer: () => Promise<FeedProducer>;
  /**
   * Consume `topic` in a consumer group (a new group starts at the beginning) with manual offset
   * commits, until `signal` aborts or the consumer fails for good; resolves then, disconnected.
   */
  runGroup: (opts: GroupRunOptions) => Promise<void>;
}>;

const UNREACHABLE = /Connection|Timeout|BrokerNotFound|NoBrokerAvailable|MetadataNotLoaded|NetworkError/;
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'PLT_KFK_NETWORK', 'PLT_KFK_TIMEOUT']);

/**
 * Did this error come from not reaching the broker at all (rather than the broker refusing a
 * request)? Follows `cause` and aggregated `errors` (@platformatic/kafka wraps per-broker failures).
 */
export const isBrokerUnreachable = (error: unknown, depth = 0): boolean => {
  const e = error as { name?: unknown; code?: unknown; cause?: unknown; errors?: unknown } | null | undefined;
  if (!e || typeof e !== 'object' || depth > 8) return false;
  if (typeof e.name === 'string' && UNREACHABLE.test(e.name)) return true;
  if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isBrokerUnreachable(inner, depth + 1))) return true;
  return isBrokerUnreachable(e.cause, depth + 1);
};
