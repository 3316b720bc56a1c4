// Kafka for tests: where to find a broker, unique topic names, and private (restartable) brokers.
//
// findKafkaBrokers() tries, in order:
//   1. env KAFKA_BROKERS (comma separated), if a broker answers there;
//   2. the project's shared local broker (scripts/kafka.mjs: Kafka 3.9.1 from Maven Central jars,
//      127.0.0.1:19092 unless KAFKA_PORT says otherwise), started if needed and left running for the
//      next test file (`npm run kafka:stop` stops it);
//   3. testcontainers (apache/kafka:3.9.1), only if a container runtime is configured.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { logLevel } from 'kafkajs';
import type { LogEntry, logCreator } from 'kafkajs';
import { DEFAULT_KAFKA_CLIENT, type KafkaClientKind } from '../../src/adapters/kafka/port.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCRIPT_PATH = path.join(REPO_ROOT, 'scripts', 'kafka.mjs');

// --- typed view of scripts/kafka.mjs (plain JavaScript, loaded at run time) -------------------

interface StartBrokerOptions {
  port?: number;
  stateDir?: string;
  jarsDir?: string;
  timeoutMs?: number;
  ownerPid?: number;
  removeDirWithOwner?: string;
  log?: (line: string) => void;
}

interface StartedBroker {
  brokers: string[];
  pid: number;
  clusterId: string;
  reused: boolean;
}

interface StopBrokerOptions {
  stateDir?: string;
  timeoutMs?: number;
  signal?: 'SIGTERM' | 'SIGKILL' | 'SIGINT';
  log?: (line: string) => void;
}

interface KafkaScript {
  startBroker(options?: StartBrokerOptions): Promise<StartedBroker>;
  stopBroker(options?: StopBrokerOptions): Promise<{ stopped: boolean; pid: number | null }>;
  brokerAnswers(brokers: string[], options?: { timeoutMs?: number }): Promise<{ clusterId: string; brokers: string[] } | null>;
  defaultJarsDir(): string;
}

let script: Promise<KafkaScript> | undefined;
function kafkaScript(): Promise<KafkaScript> {
  // A computed specifier: TypeScript leaves the .mjs alone, the interface above types it.
  script ??= import(pathToFileURL(SCRIPT_PATH).href) as Promise<KafkaScript>;
  return script;
}

function log(line: string): void {
  process.stderr.write(`[kafka] ${line}\n`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function parseBrokerList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** True when a Kafka broker in the list answers a metadata request within timeoutMs. */
export async function kafkaAnswers(brokers: string[], timeoutMs = 3000): Promise<boolean> {
  const { brokerAnswers } = await kafkaScript();
  return (await brokerAnswers(brokers, { timeoutMs })) !== null;
}

// --- findKafkaBrokers ------------------------------------------------------------------------

let found: Promise<string[]> | undefined;

/**
 * Brokers for integration tests (memoised per process). Throws an Error listing what was tried
 * when no broker can be found or started.
 */
export function findKafkaBrokers(): Promise<string[]> {
  found ??= discoverBrokers();
  return found;
}

async function discoverBrokers(): Promise<string[]> {
  const tried: string[] = [];

  const fromEnv = parseBrokerList(process.env.KAFKA_BROKERS ?? '');
  if (fromEnv.length > 0) {
    if (await kafkaAnswers(fromEnv, 5000)) return fromEnv;
    tried.push(`KAFKA_BROKERS=${fromEnv.join(',')}: no broker answered`);
    log(`KAFKA_BROKERS=${fromEnv.join(',')} does not answer; trying the local broker`);
  } else {
    tried.push('KAFKA_BROKERS: not set');
  }

  try {
    const { startBroker } = await kafkaScript();
    const started = await startBroker({ log });
    return started.brokers;
  } catch (err) {
    tried.push(`local broker from Maven jars (scripts/kafka.mjs): ${message(err)}`);
  }

  if (containerRuntimeConfigured()) {
    try {
      return await startKafkaContainer();
    } catch (err) {
      tried.push(`testcontainers (${kafkaImage()}): ${message(err)}`);
    }
  } else {
    tried.push('testcontainers: no container runtime (DOCKER_HOST unset, /var/run/docker.sock missing)');
  }

  throw new Error(`No Kafka broker available. Tried:\n  - ${tried.join('\n  - ')}`);
}

function containerRuntimeConfigured(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

function kafkaImage(): string {
  return process.env.KAFKA_IMAGE ?? 'apache/kafka:3.9.1';
}

async function startKafkaContainer(): Promise<string[]> {
  // Imported only here: loading testcontainers costs time, and it only helps with a container runtime.
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const host = client.info.containerRuntime.host;
  // The advertised address must be known before start, so bind a fixed (free) host port.
  const hostPort = await freePort();
  log(`starting ${kafkaImage()} with testcontainers on ${host}:${hostPort}`);
  await new GenericContainer(kafkaImage())
    .withExposedPorts({ container: 9092, host: hostPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://localhost:9093,BROKER://localhost:9094',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${hostPort},BROKER://localhost:9094`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
      KAFKA_NUM_PARTITIONS: '3',
      KAFKA_DEFAULT_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start(); // removed by testcontainers' reaper when this process ends
  const brokers = [`${host}:${hostPort}`];
  const deadline = Date.now() + 60_000;
  while (!(await kafkaAnswers(brokers))) {
    if (Date.now() > deadline) throw new Error(`container started but ${brokers.join(',')} does not answer`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return brokers;
}

// --- environment checks ------------------------------------------------------------------------

/**
 * Why no Kafka can be had here, or null when one probably can (KAFKA_BROKERS set, or java plus
 * jars/Maven, or a container runtime). For `t.skip` on machines without any of them; a broker that
 * should start but does not is a failure, not a skip.
 */
export async function kafkaUnavailableReason(): Promise<string | null> {
  if (parseBrokerList(process.env.KAFKA_BROKERS ?? '').length > 0) return null;
  const local = await localBrokerUnavailableReason();
  if (local === null) return null;
  if (containerRuntimeConfigured()) return null;
  return `${local}; KAFKA_BROKERS is not set and no container runtime is configured`;
}

/** Why a local broker from the Maven jars (needed by privateBroker) cannot run here, or null. */
export async function localBrokerUnavailableReason(): Promise<string | null> {
  const java = process.env.KAFKA_JAVA ?? (process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java');
  if (spawnSync(java, ['-version'], { stdio: 'ignore' }).status !== 0) return `no java (${java})`;
  const { defaultJarsDir } = await kafkaScript();
  if (existsSync(defaultJarsDir())) return null;
  const mvn = process.env.KAFKA_MVN ?? 'mvn';
  if (spawnSync(mvn, ['-v'], { stdio: 'ignore' }).status !== 0) {
    return `no Kafka jars in ${defaultJarsDir()} and no Maven (${mvn}) to fetch them`;
  }
  return null;
}

// --- kafkajs logging ------------------------------------------------------------------------------

/** Retriable conditions kafkajs logs at ERROR although it retries them (broker just started, rebalances). */
const TRANSIENT_KAFKAJS_ERRORS =
  /coordinator is loading|coordinator is not available|not the correct coordinator|rebalanc|leader not available|no leader for this topic-partition|not the leader for this topic-partition/i;

/**
 * A kafkajs `logCreator` for tests: ERROR entries to stderr as one JSON line each, except
 * retriable conditions kafkajs recovers from by itself (they only make test output noisy).
 * Use with `new Kafka({ ..., logLevel: logLevel.ERROR, logCreator: testLogCreator })`.
 */
export const testLogCreator: logCreator = () => (entry: LogEntry) => {
  if (entry.level > logLevel.ERROR) return;
  const { message, error } = entry.log as { message: string; error?: unknown };
  if (TRANSIENT_KAFKAJS_ERRORS.test(`${message} ${String(error ?? '')}`)) return;
  process.stderr.write(`${JSON.stringify({ level: entry.label, logger: entry.namespace, ...entry.log })}\n`);
};

// --- which client ------------------------------------------------------------------------------

/**
 * The Kafka client the code under test runs on: KAFKA_CLIENT=kafkajs|platformatic, else the
 * service's default (@platformatic/kafka). The tests' own producers and consumers (standing in for
 * the WMS) stay on kafkajs either way.
 */
export function testKafkaClient(): KafkaClientKind {
  const kind = process.env.KAFKA_CLIENT;
  return kind === 'kafkajs' || kind === 'platformatic' ? kind : DEFAULT_KAFKA_CLIENT;
}

// --- topics ----------------------------------------------------------------------------------------

let topicCounter = 0;

/**
 * A topic name unique to this call: `<prefix>-<time>-<pid>-<n>-<random>`, using only [a-zA-Z0-9-]
 * (no '.' or '_', which Kafka treats as colliding), at most 200 characters.
 */
export function uniqueTopic(prefix: string): string {
  const clean = prefix.replace(/[^a-zA-Z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'test';
  topicCounter += 1;
  const suffix = `${Date.now().toString(36)}-${process.pid.toString(36)}-${topicCounter}-${randomBytes(3).toString('hex')}`;
  return `${clean.slice(0, 200 - suffix.length - 1)}-${suffix}`;
}

// --- private brokers ---------------------------------------------------------------------------------

export interface PrivateBroker {
  /** `127.0.0.1:<port>`; stays the same across stop/start. */
  brokers: string[];
  port: number;
  stateDir: string;
  /** Starts it again (same port, data dir and cluster id); no-op when running. */
  start(): Promise<void>;
  /** Graceful stop (SIGTERM, SIGKILL after 20 s); no-op when stopped. */
  stop(): Promise<void>;
  /** Crash: SIGKILL, no clean shutdown. */
  kill(): Promise<void>;
  /** Stops it and deletes its state dir. */
  close(): Promise<void>;
}

/**
 * A broker of its own (free port pair, temp state dir) for fault tests. It is also stopped and its
 * state dir deleted by a watchdog if this process dies without calling close().
 */
export async function privateBroker(): Promise<PrivateBroker> {
  const { startBroker, stopBroker } = await kafkaScript();
  const port = await freePortPair();
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'oms-kafka-private-'));
  const start = async (): Promise<void> => {
    await startBroker({ port, stateDir, ownerPid: process.pid, removeDirWithOwner: stateDir, log });
  };
  const stop = async (): Promise<void> => {
    await stopBroker({ stateDir, log });
  };
  try {
    await start();
  } catch (err) {
    await stop().catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  return {
    brokers: [`127.0.0.1:${port}`],
    port,
    stateDir,
    start,
    stop,
    kill: async () => {
      await stopBroker({ stateDir, signal: 'SIGKILL', log });
    },
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await stop();
      } finally {
        await rm(stateDir, { recursive: true, force: true });
      }
    },
  };
}

// --- ports -------------------------------------------------------------------------------------------

function listenOn(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

async function freePort(): Promise<number> {
  const port = await listenOn(0);
  if (port === null) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

/** The kernel's ephemeral (outgoing) port range; a broker port outside it cannot be taken by a client socket. */
function ephemeralPortRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high)) return [low, high];
  } catch {
    // not Linux
  }
  return [32768, 60999];
}

/**
 * A free port p with p + 1 free too (broker + controller), below the ephemeral range so that no
 * outgoing connection grabs it while the broker is stopped, and away from the shared 19092/19093.
 */
async function freePortPair(): Promise<number> {
  const [ephemeralLow] = ephemeralPortRange();
  const low = 20_000;
  const high = Math.min(ephemeralLow, 65_535) - 2;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = high > low ? low + Math.floor(Math.random() * (high - low)) : await freePort();
    if (port >= 65_535 || (port >= 19_091 && port <= 19_093)) continue;
    if ((await listenOn(port)) !== null && (await listenOn(port + 1)) !== null) return port;
  }
  throw new Error('could not find two adjacent free TCP ports on 127.0.0.1');
}
