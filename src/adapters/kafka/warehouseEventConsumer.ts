import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { WarehouseEventsService } from '../../application/warehouseEvents.js';
import { backoffDelay, sleep } from '../shared/timers.js';
import { kafkaPort } from './kafkaPort.js';
import type { ConsumedPayload, KafkaClientKind } from './port.js';

export type WarehouseEventConsumerOptions = Readonly<{
  warehouseEvents: WarehouseEventsService;
  kafka: Readonly<{
    brokers: readonly string[];
    topic: string;
    groupId: string;
    partitions: number;
    replicationFactor: number;
    clientId?: string;
    connectionTimeoutMs?: number;
    requestTimeoutMs?: number;
    sessionTimeoutMs?: number;
    /** The Kafka client library (KAFKA_CLIENT); default @platformatic/kafka. */
    client?: KafkaClientKind;
  }>;
  log: Logger;
  /** Called after each message was handled and its offset committed. */
  onHandled?: (outcome: 'recorded' | 'duplicate' | 'rejected', reason?: string) => void;
  /**
   * Test hook: runs after a message was recorded and before its offset is committed (a crash
   * there must not record anything twice on re-delivery).
   */
  beforeCommit?: (payload: ConsumedPayload) => Promise<void>;
}>;

export type WarehouseEventConsumerStatus = Readonly<{ running: boolean; lastError: string | null; handled: number }>;

/**
 * Consumes oms.warehouse-events.v1 in a consumer group (one per OMS deployment): each message is
 * recorded on its order (or, when it cannot apply, as a rejected warehouse message) and only then
 * is its offset committed — at least once; de-dup on messageId makes a re-delivery record nothing.
 *
 * A failure to record (database or event store away) is retried with back-off on the same message
 * (heartbeating meanwhile), never skipped: only what was recorded is committed. A message that can
 * never apply is not a failure — it is recorded as rejected and the consumer moves on.
 */
/** How long a stop waits for the consumer to leave its group. */
const STOP_WAIT_MS = 2_000;

export const warehouseEventConsumer = (opts: WarehouseEventConsumerOptions) => {
  const { topic, groupId } = opts.kafka;
  const kafka = kafkaPort({
    kind: opts.kafka.client,
    brokers: opts.kafka.brokers,
    clientId: opts.kafka.clientId ?? `oms-warehouse-in-${hostname()}`,
    log: opts.log,
    connectionTimeoutMs: opts.kafka.connectionTimeoutMs,
    requestTimeoutMs: opts.kafka.requestTimeoutMs,
  });
  let stopping: AbortController | null = null;
  let supervisor: Promise<void> | null = null;
  let lastError: string | null = null;
  let handled = 0;
  let running = false;

  const handle = async (payload: ConsumedPayload, { commit, heartbeat }: Readonly<{ commit: () => Promise<void>; heartbeat: () => Promise<void> }>) => {
    const { message, partition } = payload;
    const source = { topic, partition, offset: message.offset };
    for (let attempt = 1; ; attempt++) {
      if (stopping?.signal.aborted) throw new Error('warehouse event consumer stopping: offset not committed');
      try {
        const result = await opts.warehouseEvents.consume(message.value, source, { actor: 'system:warehouse-events', correlationId: `kafka:${topic}/${partition}/${message.offset}` });
        await opts.beforeCommit?.(payload);
        await commit();
        handled++;
        lastError = null;
        if (result.outcome === 'rejected') {
          opts.log.warn({ topic, partition, offset: message.offset, reason: result.reason }, 'warehouse message rejected (recorded, skipped)');
        }
        opts.onHandled?.(result.outcome, result.outcome === 'rejected' ? result.reason : undefined);
        return;
      } catch (error) {
        if (stopping?.signal.aborted) throw error;
        lastError = error instanceof Error ? error.message : String(error);
        opts.log.error({ err: error, topic, partition, offset: message.offset, attempt }, 'recording a warehouse message failed; retrying');
        await sleep(backoffDelay(attempt, 200, 10_000), stopping?.signal);
        await heartbeat().catch(() => undefined);
      }
    }
  };

  const runOnce = async (signal: AbortSignal) => {
    await kafka.ensureTopic({ topic, partitions: opts.kafka.partitions, replicationFactor: opts.kafka.replicationFactor }, opts.log);
    try {
      // A new group starts at the beginning of the topic: everything is de-duplicated on messageId.
      await kafka.runGroup({
        topic,
        groupId,
        sessionTimeoutMs: opts.kafka.sessionTimeoutMs ?? 30_000,
        handle,
        onRunning: () => (running = true),
        onError: (error) => (lastError = error instanceof Error ? error.message : String(error)),
        signal,
      });
    } finally {
      running = false;
    }
  };

  return {
    start: async () => {
      if (supervisor) return;
      const controller = new AbortController();
      stopping = controller;
      supervisor = (async () => {
        for (let attempt = 1; !controller.signal.aborted; attempt++) {
          try {
            await runOnce(controller.signal);
            attempt = 0;
          } catch (error) {
            lastError = error instanceof Error ? error.message : String(error);
            opts.log.warn({ err: error, topic, attempt }, 'warehouse event consumer could not run; retrying');
          }
          if (!controller.signal.aborted) await sleep(backoffDelay(Math.max(attempt, 1), 500, 15_000), controller.signal);
        }
      })();
    },
    /** Stops consuming; a message being recorded keeps its offset uncommitted (it is re-delivered). */
    stop: async () => {
      stopping?.abort();
      // Leaving the group can wait on a join in progress (kafkajs); a shutdown does not wait for it
      // past STOP_WAIT_MS: offsets are committed only after recording, so an unclean leave loses
      // nothing (the group rebalances after its session timeout and re-delivers what was not committed).
      await Promise.race([supervisor, new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
      supervisor = null;
    },
    status: (): WarehouseEventConsumerStatus => ({ running, lastError, handled }),
  };
};
export type WarehouseEventConsumer = ReturnType<typeof warehouseEventConsumer>;
