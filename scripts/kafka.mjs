#!/usr/bin/env node
// Local single-node Apache Kafka (KRaft, combined broker + controller) for tests and development,
// run straight from the Maven Central jars: no Docker, no Kafka download outside Maven.
//
//   node scripts/kafka.mjs start    start (or reuse) the shared broker; last stdout line: KAFKA_BROKERS=127.0.0.1:<port>
//   node scripts/kafka.mjs stop     stop the shared broker (exit 0 when none was running)
//   node scripts/kafka.mjs status   print the shared broker's state (exit 0 running, 3 not running)
//   node scripts/kafka.mjs fetch    only make sure the jars are in the cache
//
// Environment:
//   KAFKA_BROKERS           start: use these brokers when one of them answers (nothing is started)
//   KAFKA_PORT              broker port (default 19092); the controller listens on KAFKA_PORT + 1
//   KAFKA_STATE_DIR         runtime state (data, pid file, log, lock); default <repo>/.kafka
//   KAFKA_JARS_DIR          jar cache; default ${XDG_CACHE_HOME:-~/.cache}/oms-kafka/<version>/libs
//   KAFKA_START_TIMEOUT_MS  how long to wait for the broker to answer (default 90000)
//   KAFKA_LOG_LEVEL         broker log level (default INFO), written to <stateDir>/kafka.log
//   KAFKA_JAVA / JAVA_HOME  which java to run; KAFKA_MVN: which mvn to run; KAFKA_JVM_OPTS: extra JVM flags
//
// The same functions are exported (startBroker, stopBroker, ...) so tests can run private brokers.
// Only node built-ins and kafkajs (loaded lazily, for the readiness probe) are used.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const KAFKA_VERSION = '3.9.1';
export const SCALA_VERSION = '2.13';
export const DEFAULT_PORT = 19092;

const SCRIPT_FILE = fileURLToPath(import.meta.url);
const TEMPLATE_DIR = path.join(path.dirname(SCRIPT_FILE), 'kafka');
export const REPO_ROOT = path.resolve(path.dirname(SCRIPT_FILE), '..');

/** Jars that must be in a complete cache (the broker itself and the slf4j -> reload4j binding). */
const REQUIRED_JARS = [`kafka_${SCALA_VERSION}-${KAFKA_VERSION}.jar`, 'slf4j-reload4j-1.7.36.jar'];
const MAX_LOG_BYTES = 20 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Defaults and small helpers
// ---------------------------------------------------------------------------------------------

function envInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

export function defaultPort() {
  return envInt('KAFKA_PORT', DEFAULT_PORT);
}

export function defaultStateDir() {
  return path.resolve(process.env.KAFKA_STATE_DIR || path.join(REPO_ROOT, '.kafka'));
}

export function defaultJarsDir() {
  if (process.env.KAFKA_JARS_DIR) return path.resolve(process.env.KAFKA_JARS_DIR);
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'oms-kafka', KAFKA_VERSION, 'libs');
}

function defaultLog(line) {
  process.stderr.write(`[kafka] ${line}\n`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function statePaths(stateDir) {
  return {
    stateDir,
    dataDir: path.join(stateDir, 'data'),
    pidFile: path.join(stateDir, 'kafka.pid'),
    lockFile: path.join(stateDir, 'kafka.lock'),
    logFile: path.join(stateDir, 'kafka.log'),
    configFile: path.join(stateDir, 'server.properties'),
    log4jFile: path.join(stateDir, 'log4j.properties'),
    clusterIdFile: path.join(stateDir, 'cluster.id'),
  };
}

function checkPort(port) {
  if (!Number.isInteger(port) || port < 1 || port > 65534) {
    throw new Error(`invalid Kafka port ${port}: need an integer in 1..65534 (the controller uses port + 1)`);
  }
}

function javaBin() {
  if (process.env.KAFKA_JAVA) return process.env.KAFKA_JAVA;
  if (process.env.JAVA_HOME) {
    const candidate = path.join(process.env.JAVA_HOME, 'bin', process.platform === 'win32' ? 'java.exe' : 'java');
    if (fs.existsSync(candidate)) return candidate;
  }
  return 'java';
}

function mvnBin() {
  return process.env.KAFKA_MVN || (process.platform === 'win32' ? 'mvn.cmd' : 'mvn');
}

function removeQuietly(file) {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // best effort
  }
}

function writeFileAtomic(file, content) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

/** Runs a command to completion, capturing its output; rejects with the output on failure. */
function run(cmd, args, { cwd, what }) {
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk) => {
      output += chunk.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => {
      reject(new Error(err.code === 'ENOENT' ? `${what}: command not found: ${cmd}` : `${what}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolve(output);
      else {
        const detail = output.trim() ? `\n${output.trim()}` : '';
        reject(new Error(`${what} failed (${signal ?? `exit code ${code}`}): ${cmd} ${args.join(' ')}${detail}`));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

/**
 * True when pid exists and has not finished exiting. A process whose leader thread is a zombie but
 * whose other threads are still tearing down (a JVM after SIGKILL) still holds its sockets: alive.
 */
export function processAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code !== 'EPERM') return false;
  }
  let status;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return true; // no /proc (not Linux) or it vanished meanwhile: kill(0) said it exists
  }
  const state = /^State:\s*(\S)/m.exec(status)?.[1];
  const threads = Number(/^Threads:\s*(\d+)/m.exec(status)?.[1] ?? '1');
  return !(state === 'Z' || state === 'X') || threads > 1;
}

function readCmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return null;
  }
}

/** True when pid is alive and (where /proc tells) is a kafka.Kafka JVM running this config file. */
function isBrokerProcess(pid, configFile) {
  if (!processAlive(pid)) return false;
  const cmdline = readCmdline(pid);
  if (cmdline === null) return true; // cannot tell: trust the pid file
  return cmdline.includes('kafka.Kafka') && cmdline.includes(configFile);
}

/** A broker started from this config file whose pid file was lost (Linux only). */
function findBrokerByConfig(configFile) {
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const cmdline = readCmdline(pid);
    if (cmdline && cmdline.includes('kafka.Kafka') && cmdline.includes(configFile) && processAlive(pid)) return pid;
  }
  return null;
}

function readPid(pidFile) {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Sends `signal`, waits up to timeoutMs, then SIGKILLs. Resolves once the process is gone. */
async function terminate(pid, { signal = 'SIGTERM', timeoutMs = 20_000, log = defaultLog } = {}) {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if (err.code === 'ESRCH') return;
    throw err;
  }
  if (await waitForExit(pid, timeoutMs)) return;
  log(`pid ${pid} did not exit ${seconds(timeoutMs)} after ${signal}; sending SIGKILL`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if (err.code === 'ESRCH') return;
    throw err;
  }
  if (!(await waitForExit(pid, 10_000))) throw new Error(`pid ${pid} survived SIGKILL`);
}

// ---------------------------------------------------------------------------------------------
// Lock file: O_EXCL create; a lock whose owner pid is gone is stale and gets broken.
// ---------------------------------------------------------------------------------------------

function readLock(lockFile) {
  try {
    const raw = fs.readFileSync(lockFile, 'utf8');
    const mtimeMs = fs.statSync(lockFile).mtimeMs;
    const pid = Number(raw.split(/\s+/)[0]);
    return { raw, pid: Number.isInteger(pid) && pid > 0 ? pid : null, mtimeMs };
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
}

function lockIsStale(holder) {
  if (holder.pid === null) {
    // Created but not yet written, or garbage: only stale once it is old.
    return Date.now() - holder.mtimeMs > 10_000;
  }
  return !processAlive(holder.pid);
}

function breakStaleLock(lockFile, holder) {
  // Rename first (atomic): if another process replaced the stale lock with a live one meanwhile,
  // we notice from the content and put it back.
  const aside = `${lockFile}.stale.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(lockFile, aside);
  } catch (err) {
    if (err.code === 'ENOENT') return;
    throw err;
  }
  let content = null;
  try {
    content = fs.readFileSync(aside, 'utf8');
  } catch {
    // ignore
  }
  if (content !== null && content !== holder.raw) {
    try {
      fs.linkSync(aside, lockFile); // never clobbers (fails if a lock exists again)
    } catch {
      // someone created a new lock meanwhile; theirs stands
    }
  }
  removeQuietly(aside);
}

async function acquireLock(lockFile, { timeoutMs, log, purpose }) {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const token = `${process.pid} ${new Date().toISOString()} ${purpose} ${crypto.randomUUID()}\n`;
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, token, { flag: 'wx' });
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const holder = readLock(lockFile);
    if (holder === null) continue;
    if (lockIsStale(holder)) {
      log(`breaking stale lock ${lockFile} (${holder.pid === null ? 'no owner' : `pid ${holder.pid} is gone`})`);
      breakStaleLock(lockFile, holder);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new Error(`gave up after ${seconds(timeoutMs)} waiting for ${lockFile} (held by pid ${holder.pid})`);
    }
    if (!announced) {
      log(`waiting for pid ${holder.pid}, which holds ${lockFile}`);
      announced = true;
    }
    await sleep(200);
  }
  return () => {
    try {
      if (fs.readFileSync(lockFile, 'utf8') === token) fs.rmSync(lockFile, { force: true });
    } catch {
      // already gone
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Jars
// ---------------------------------------------------------------------------------------------

function jarsComplete(dir) {
  try {
    const names = new Set(fs.readdirSync(dir));
    return REQUIRED_JARS.every((jar) => names.has(jar));
  } catch {
    return false;
  }
}

/**
 * Makes sure the broker's runtime jars are in jarsDir, fetching them with Maven into a temporary
 * directory that is renamed into place only when complete. Returns jarsDir.
 */
export async function ensureJars(jarsDir = defaultJarsDir(), { log = defaultLog, timeoutMs = 900_000 } = {}) {
  jarsDir = path.resolve(jarsDir);
  if (jarsComplete(jarsDir)) return jarsDir;
  const parent = path.dirname(jarsDir);
  fs.mkdirSync(parent, { recursive: true });
  const release = await acquireLock(path.join(parent, `.${path.basename(jarsDir)}.fetch.lock`), {
    timeoutMs,
    log,
    purpose: 'fetch',
  });
  try {
    if (jarsComplete(jarsDir)) return jarsDir; // another process fetched them while we waited
    // Leftovers of interrupted fetches (we hold the fetch lock, so none is in progress).
    for (const entry of fs.readdirSync(parent)) {
      if (entry.startsWith(`.${path.basename(jarsDir)}.tmp-`)) {
        fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
      }
    }
    if (fs.existsSync(jarsDir)) {
      log(`${jarsDir} is incomplete; fetching again`);
      fs.rmSync(jarsDir, { recursive: true, force: true });
    }
    const work = fs.mkdtempSync(path.join(parent, `.${path.basename(jarsDir)}.tmp-`));
    try {
      const pom = path.join(work, 'pom.xml');
      fs.copyFileSync(path.join(TEMPLATE_DIR, 'pom.xml'), pom);
      const out = path.join(work, 'libs');
      log(`fetching Kafka ${KAFKA_VERSION} jars from Maven Central into ${jarsDir} (once per machine)...`);
      const t0 = Date.now();
      await run(
        mvnBin(),
        ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${out}`],
        { cwd: work, what: 'fetching the Kafka jars with Maven' },
      );
      if (!jarsComplete(out)) {
        throw new Error(`Maven finished but ${out} lacks one of ${REQUIRED_JARS.join(', ')}`);
      }
      fs.renameSync(out, jarsDir);
      const jars = fs.readdirSync(jarsDir).filter((f) => f.endsWith('.jar'));
      const bytes = jars.reduce((sum, f) => sum + fs.statSync(path.join(jarsDir, f)).size, 0);
      log(`fetched ${jars.length} jars (${(bytes / 1048576).toFixed(0)} MB) in ${seconds(Date.now() - t0)}`);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
    return jarsDir;
  } finally {
    release();
  }
}

// ---------------------------------------------------------------------------------------------
// Configuration and storage
// ---------------------------------------------------------------------------------------------

function propertyValue(value) {
  return String(value).replace(/\\/g, '\\\\');
}

function serverProperties({ port, dataDir }) {
  const controllerPort = port + 1;
  const props = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': 3,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': false,
    'delete.topic.enable': true,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    'log.cleaner.dedupe.buffer.size': 16 * 1024 * 1024,
    'log.retention.hours': 168,
    // After a crash the controller refuses the restarted broker's registration until the dead
    // incarnation's session expires (default 9 s): keep it short for a one-process cluster.
    'broker.session.timeout.ms': 3000,
    'broker.heartbeat.interval.ms': 500,
  };
  const lines = [
    `# Written by scripts/kafka.mjs on each start: single-node KRaft (broker + controller), loopback only.`,
    ...Object.entries(props).map(([key, value]) => `${key}=${propertyValue(value)}`),
  ];
  return `${lines.join('\n')}\n`;
}

function configuredPort(configFile) {
  try {
    const text = fs.readFileSync(configFile, 'utf8');
    const match = /^advertised\.listeners=PLAINTEXT:\/\/[^:\s]+:(\d+)\s*$/m.exec(text);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

function newClusterId() {
  // 16 random bytes, base64url = 22 characters; avoid a leading '-' (reads as an option).
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function clusterIdFor(p) {
  try {
    const meta = fs.readFileSync(path.join(p.dataDir, 'meta.properties'), 'utf8');
    const match = /^cluster\.id=(\S+)\s*$/m.exec(meta);
    if (match?.[1]) return match[1];
  } catch {
    // not formatted yet
  }
  try {
    const id = fs.readFileSync(p.clusterIdFile, 'utf8').trim();
    if (id) return id;
  } catch {
    // first start
  }
  const id = newClusterId();
  writeFileAtomic(p.clusterIdFile, `${id}\n`);
  return id;
}

function renderLog4j(p) {
  const level = (process.env.KAFKA_LOG_LEVEL || 'INFO').toUpperCase();
  const template = fs.readFileSync(path.join(TEMPLATE_DIR, 'log4j.properties'), 'utf8');
  writeFileAtomic(p.log4jFile, template.replaceAll('@LEVEL@', level));
}

function log4jArg(p) {
  return `-Dlog4j.configuration=${pathToFileURL(p.log4jFile).href}`;
}

async function formatStorage(p, { jarsDir, clusterId, log }) {
  log(`formatting ${p.dataDir} (cluster id ${clusterId})`);
  await run(
    javaBin(),
    [
      '-Xmx256m',
      log4jArg(p),
      '-cp',
      path.join(jarsDir, '*'),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      p.configFile,
      '--ignore-formatted',
    ],
    { cwd: p.stateDir, what: 'formatting the Kafka storage' },
  );
}

// ---------------------------------------------------------------------------------------------
// Probing
// ---------------------------------------------------------------------------------------------

let kafkajsModule;
async function kafkajs() {
  if (!kafkajsModule) {
    const mod = await import('kafkajs');
    kafkajsModule = mod.default ?? mod;
  }
  return kafkajsModule;
}

/**
 * Asks the brokers for cluster metadata. Resolves { clusterId, brokers } when one answers within
 * timeoutMs, else null. Never throws for an unreachable broker.
 */
export async function brokerAnswers(brokers, { timeoutMs = 3000 } = {}) {
  const { Kafka, logLevel } = await kafkajs();
  const kafka = new Kafka({
    clientId: 'oms-kafka-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 2000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs + 500);
  });
  const probe = (async () => {
    try {
      await admin.connect();
      const info = await admin.describeCluster();
      return { clusterId: info.clusterId, brokers: info.brokers.map((b) => `${b.host}:${b.port}`) };
    } catch {
      return null;
    }
  })();
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
    admin.disconnect().catch(() => {});
  }
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function waitUntilReady(brokers, { timeoutMs, exited, pid }) {
  const deadline = Date.now() + timeoutMs;
  let exit = null;
  exited?.then((info) => {
    exit = info;
  });
  for (;;) {
    if (exit) throw new Error(`the broker process exited during start-up (${exit})`);
    if (pid !== undefined && !processAlive(pid)) throw new Error(`the broker process (pid ${pid}) exited during start-up`);
    const info = await brokerAnswers(brokers, { timeoutMs: 2000 });
    if (info) return info;
    if (Date.now() >= deadline) throw new Error(`the broker did not answer on ${brokers.join(',')} within ${seconds(timeoutMs)}`);
    await sleep(300);
  }
}

function logTail(logFile, fromOffset = 0, lines = 60) {
  try {
    const text = fs.readFileSync(logFile, 'utf8').slice(fromOffset);
    return text.split('\n').slice(-lines).join('\n').trim();
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------------------------------------
// Watchdog: for a broker owned by a short-lived process (a test file), stop it if the owner dies.
// ---------------------------------------------------------------------------------------------

const WATCHDOG_SOURCE = `
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const broker = Number(process.argv[1]), owner = Number(process.argv[2]), dir = process.argv[3] || '';
const tick = setInterval(() => {
  if (!alive(broker)) { clearInterval(tick); return; }
  if (alive(owner)) return;
  clearInterval(tick);
  try { process.kill(broker, 'SIGTERM'); } catch {}
  const t0 = Date.now();
  const wait = setInterval(() => {
    if (alive(broker) && Date.now() - t0 < 20000) return;
    if (alive(broker)) { try { process.kill(broker, 'SIGKILL'); } catch {} }
    clearInterval(wait);
    if (dir) setTimeout(() => { try { require('fs').rmSync(dir, { recursive: true, force: true }); } catch {} }, 500);
  }, 200);
}, 1000);
`;

function startWatchdog(brokerPid, ownerPid, removeDir) {
  // A plain node: no loaders, coverage or test-runner hooks inherited from the owner (tap sets them).
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(NODE_OPTIONS|NODE_V8_COVERAGE|TAP|_TAPJS)/.test(key)),
  );
  const child = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(brokerPid), String(ownerPid), removeDir ?? ''], {
    detached: true,
    stdio: 'ignore',
    env,
  });
  child.on('error', () => {});
  child.unref();
}

// ---------------------------------------------------------------------------------------------
// Start / stop
// ---------------------------------------------------------------------------------------------

/**
 * Starts a single-node KRaft broker on 127.0.0.1:port whose state lives in stateDir, or reuses the
 * one already running from stateDir. Safe to call from several processes at once (lock file).
 *
 * @param {object} [options]
 * @param {number} [options.port]       broker port (controller on port + 1); default KAFKA_PORT or 19092
 * @param {string} [options.stateDir]   data, pid file, log; default KAFKA_STATE_DIR or <repo>/.kafka
 * @param {string} [options.jarsDir]    jar cache; default KAFKA_JARS_DIR or ~/.cache/oms-kafka/<v>/libs
 * @param {number} [options.timeoutMs]  readiness timeout; default KAFKA_START_TIMEOUT_MS or 90000
 * @param {number} [options.ownerPid]   stop the broker when this process dies (private brokers)
 * @param {string} [options.removeDirWithOwner] directory to delete after that
 * @param {(line: string) => void} [options.log] progress lines; default: stderr
 * @returns {Promise<{ brokers: string[], pid: number, clusterId: string, reused: boolean }>}
 */
export async function startBroker(options = {}) {
  const port = options.port ?? defaultPort();
  checkPort(port);
  const stateDir = path.resolve(options.stateDir ?? defaultStateDir());
  const jarsDir = path.resolve(options.jarsDir ?? defaultJarsDir());
  const timeoutMs = options.timeoutMs ?? envInt('KAFKA_START_TIMEOUT_MS', 90_000);
  const log = options.log ?? defaultLog;
  const p = statePaths(stateDir);
  fs.mkdirSync(stateDir, { recursive: true });
  // Long lock timeout: the holder may be downloading the jars (minutes on a cold machine).
  const release = await acquireLock(p.lockFile, { timeoutMs: 900_000 + timeoutMs, log, purpose: 'start' });
  try {
    return await startLocked({ ...options, port, jarsDir, timeoutMs, log, p });
  } finally {
    release();
  }
}

async function startLocked({ port, jarsDir, timeoutMs, log, p, ownerPid, removeDirWithOwner }) {
  // 1. Is a broker from this state dir already running?
  let pid = readPid(p.pidFile);
  if (pid !== null && !isBrokerProcess(pid, p.configFile)) {
    log(`removing stale pid file (pid ${pid} is not a running broker)`);
    removeQuietly(p.pidFile);
    pid = null;
  }
  if (pid === null) {
    const orphan = findBrokerByConfig(p.configFile);
    if (orphan !== null) {
      log(`found broker pid ${orphan} running from ${p.stateDir} without a pid file; adopting it`);
      writeFileAtomic(p.pidFile, `${orphan}\n`);
      pid = orphan;
    }
  }
  if (pid !== null) {
    const runningPort = configuredPort(p.configFile) ?? port;
    const brokers = [`127.0.0.1:${runningPort}`];
    if (runningPort !== port) log(`note: the broker running from ${p.stateDir} listens on ${runningPort}, not ${port}`);
    let info = await brokerAnswers(brokers, { timeoutMs: 3000 });
    if (!info) {
      log(`broker pid ${pid} is running but not answering yet; waiting up to ${seconds(timeoutMs)}`);
      try {
        info = await waitUntilReady(brokers, { timeoutMs, pid });
      } catch (err) {
        log(`${err.message}; stopping it and starting afresh`);
        await terminate(pid, { log });
        removeQuietly(p.pidFile);
      }
    }
    if (info) {
      log(`broker already running: pid ${pid}, ${brokers.join(',')}, cluster ${info.clusterId}`);
      if (ownerPid) startWatchdog(pid, ownerPid, removeDirWithOwner);
      return { brokers, pid, clusterId: info.clusterId, reused: true };
    }
  }

  // 2. The ports must be free (allow a moment for a broker that just exited to release them).
  for (const candidate of [port, port + 1]) {
    const portDeadline = Date.now() + 5000;
    let free = await portIsFree(candidate);
    while (!free && Date.now() < portDeadline) {
      await sleep(200);
      free = await portIsFree(candidate);
    }
    if (free) continue;
    const foreign = candidate === port ? await brokerAnswers([`127.0.0.1:${port}`], { timeoutMs: 2000 }) : null;
    throw new Error(
      foreign
        ? `a Kafka broker not started from ${p.stateDir} already answers on 127.0.0.1:${port}; ` +
            `use it with KAFKA_BROKERS=127.0.0.1:${port}, or choose another port with KAFKA_PORT`
        : `port ${candidate} on 127.0.0.1 is in use by another program; choose another port with KAFKA_PORT ` +
            `(the broker uses KAFKA_PORT and KAFKA_PORT + 1)`,
    );
  }

  // 3. Jars, configuration, storage.
  const t0 = Date.now();
  await ensureJars(jarsDir, { log });
  fs.mkdirSync(p.dataDir, { recursive: true });
  const clusterId = clusterIdFor(p);
  writeFileAtomic(p.configFile, serverProperties({ port, dataDir: p.dataDir }));
  renderLog4j(p);
  if (!fs.existsSync(path.join(p.dataDir, 'meta.properties'))) {
    await formatStorage(p, { jarsDir, clusterId, log });
  }

  // 4. Launch, detached, output to the log file.
  try {
    if (fs.statSync(p.logFile).size > MAX_LOG_BYTES) fs.renameSync(p.logFile, `${p.logFile}.1`);
  } catch {
    // no log yet
  }
  const logFd = fs.openSync(p.logFile, 'a');
  const logOffset = fs.fstatSync(logFd).size;
  fs.writeSync(logFd, `\n===== ${new Date().toISOString()} scripts/kafka.mjs: Kafka ${KAFKA_VERSION} on 127.0.0.1:${port} =====\n`);
  const extraJvmOpts = (process.env.KAFKA_JVM_OPTS ?? '').split(/\s+/).filter(Boolean);
  let child;
  try {
    child = spawn(
      javaBin(),
      [
        '-Xmx512m',
        '-Xms128m',
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        log4jArg(p),
        ...extraJvmOpts,
        '-cp',
        path.join(jarsDir, '*'),
        'kafka.Kafka',
        p.configFile,
      ],
      { cwd: p.stateDir, detached: true, stdio: ['ignore', logFd, logFd] },
    );
  } finally {
    fs.closeSync(logFd);
  }
  const exited = new Promise((resolve) => {
    child.once('error', (err) => resolve(err.code === 'ENOENT' ? `java not found: ${javaBin()}` : err.message));
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
  });
  child.unref();
  if (child.pid === undefined) {
    throw new Error(`could not launch the broker: ${await exited}`);
  }
  writeFileAtomic(p.pidFile, `${child.pid}\n`);
  if (ownerPid) startWatchdog(child.pid, ownerPid, removeDirWithOwner);
  log(`launched broker pid ${child.pid} on 127.0.0.1:${port} (log: ${p.logFile}); waiting for it to answer`);

  // 5. Wait until it really serves requests.
  const brokers = [`127.0.0.1:${port}`];
  try {
    const info = await waitUntilReady(brokers, { timeoutMs, exited });
    log(`broker ready in ${seconds(Date.now() - t0)}: pid ${child.pid}, ${brokers.join(',')}, cluster ${info.clusterId}`);
    return { brokers, pid: child.pid, clusterId: info.clusterId, reused: false };
  } catch (err) {
    if (processAlive(child.pid)) await terminate(child.pid, { log, timeoutMs: 5000 });
    removeQuietly(p.pidFile);
    throw new Error(`${err.message}\n--- last lines of ${p.logFile} ---\n${logTail(p.logFile, logOffset)}`);
  }
}

/**
 * Stops the broker running from stateDir: SIGTERM (or `signal`), SIGKILL after timeoutMs.
 * Resolves { stopped: false, pid: null } when none was running.
 *
 * @param {object} [options]
 * @param {string} [options.stateDir]  default KAFKA_STATE_DIR or <repo>/.kafka
 * @param {number} [options.timeoutMs] grace period before SIGKILL; default 20000
 * @param {'SIGTERM'|'SIGKILL'|'SIGINT'} [options.signal] default SIGTERM (SIGKILL simulates a crash)
 * @param {(line: string) => void} [options.log]
 * @returns {Promise<{ stopped: boolean, pid: number | null }>}
 */
export async function stopBroker(options = {}) {
  const stateDir = path.resolve(options.stateDir ?? defaultStateDir());
  const log = options.log ?? defaultLog;
  const p = statePaths(stateDir);
  if (!fs.existsSync(stateDir)) {
    log('no broker running (no state dir)');
    return { stopped: false, pid: null };
  }
  let release = () => {};
  try {
    release = await acquireLock(p.lockFile, { timeoutMs: options.lockTimeoutMs ?? 120_000, log, purpose: 'stop' });
  } catch (err) {
    log(`${err.message}; stopping anyway`);
  }
  try {
    let pid = readPid(p.pidFile);
    if (pid !== null && !isBrokerProcess(pid, p.configFile)) pid = null;
    if (pid === null) pid = findBrokerByConfig(p.configFile);
    if (pid === null) {
      removeQuietly(p.pidFile);
      log('no broker running');
      return { stopped: false, pid: null };
    }
    const signal = options.signal ?? 'SIGTERM';
    const t0 = Date.now();
    log(`stopping broker pid ${pid} (${signal})`);
    await terminate(pid, { signal, timeoutMs: options.timeoutMs ?? 20_000, log });
    removeQuietly(p.pidFile);
    log(`broker pid ${pid} stopped in ${seconds(Date.now() - t0)}`);
    return { stopped: true, pid };
  } finally {
    release();
  }
}

/** State of the broker running from stateDir (no side effects). */
export async function brokerStatus(options = {}) {
  const stateDir = path.resolve(options.stateDir ?? defaultStateDir());
  const p = statePaths(stateDir);
  let pid = readPid(p.pidFile);
  if (pid !== null && !isBrokerProcess(pid, p.configFile)) pid = null;
  if (pid === null) pid = findBrokerByConfig(p.configFile);
  if (pid === null) return { running: false, answering: false, pid: null, brokers: [], clusterId: null };
  const port = configuredPort(p.configFile);
  const brokers = port ? [`127.0.0.1:${port}`] : [];
  const info = brokers.length ? await brokerAnswers(brokers, { timeoutMs: 3000 }) : null;
  return { running: true, answering: info !== null, pid, brokers, clusterId: info?.clusterId ?? null };
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

function parseBrokerList(value) {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

async function main(argv) {
  const command = argv[0];
  switch (command) {
    case 'start': {
      const fromEnv = parseBrokerList(process.env.KAFKA_BROKERS ?? '');
      if (fromEnv.length > 0) {
        const info = await brokerAnswers(fromEnv, { timeoutMs: 5000 });
        if (info) {
          defaultLog(`KAFKA_BROKERS answers (cluster ${info.clusterId}); nothing to start`);
          process.stdout.write(`KAFKA_BROKERS=${fromEnv.join(',')}\n`);
          return 0;
        }
        defaultLog(`KAFKA_BROKERS=${fromEnv.join(',')} does not answer; using the local broker instead`);
      }
      try {
        const { brokers } = await startBroker();
        process.stdout.write(`KAFKA_BROKERS=${brokers.join(',')}\n`);
      } catch (err) {
        // A broker someone else started (another checkout, an earlier run) answers on our port:
        // "finds the one already running" — use it rather than fail.
        const local = [`127.0.0.1:${defaultPort()}`];
        const info = await brokerAnswers(local, { timeoutMs: 3000 });
        if (!info) throw err;
        defaultLog(`a broker not started from this checkout answers on ${local[0]} (cluster ${info.clusterId}); using it`);
        process.stdout.write(`KAFKA_BROKERS=${local.join(',')}\n`);
      }
      return 0;
    }
    case 'stop':
      await stopBroker();
      return 0;
    case 'status': {
      const status = await brokerStatus();
      if (!status.running) {
        process.stdout.write('not running\n');
        return 3;
      }
      process.stdout.write(
        `running: pid ${status.pid}, ${status.brokers.join(',')}, ` +
          `${status.answering ? `cluster ${status.clusterId}` : 'NOT answering'}\n`,
      );
      return status.answering ? 0 : 1;
    }
    case 'fetch':
      process.stdout.write(`${await ensureJars()}\n`);
      return 0;
    default:
      process.stderr.write('usage: node scripts/kafka.mjs start|stop|status|fetch\n');
      return 2;
  }
}

function invokedDirectly() {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(SCRIPT_FILE);
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`[kafka] error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
