/**
 * What bench:pipeline's helper processes say to it over the IPC channel. The load side (the
 * marketplace sandbox, the plain-client baseline, the WMS stand-in reading the topic) runs in
 * child processes so that the service's RSS, sampled in the parent, is the service's alone.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A Walmart seller key the sandbox knows; one seller, one authorization, one store. */
export type SellerKey = Readonly<{ clientId: string; clientSecret: string; partnerId: string }>;

export type SandboxReady = Readonly<{
  type: 'ready';
  walmartUrl: string;
  sellers: readonly SellerKey[];
  /** Every catalogue SKU the generated orders use. */
  skus: readonly string[];
  orders: number;
  /** The created-date range of the generated orders (ms). */
  fromMs: number;
  toMs: number;
}>;

/** The sandbox's purchase order ids, per seller. */
export type SandboxOrders = Readonly<{ type: 'orders'; byPartner: Readonly<Record<string, readonly string[]>> }>;

export type ServingResult = Readonly<{
  type: 'served';
  orders: number;
  distinct: number;
  requests: number;
  seconds: number;
  pageP50Ms: number;
  pageP99Ms: number;
}>;

/** One record seen on the topic: message id, message type, key (order id), broker timestamp (ms). */
export type TopicRecord = readonly [messageId: string, type: string, orderId: string, brokerMs: number];

export type TopicProgress = Readonly<{ type: 'progress'; records: number; releases: number }>;
export type TopicReport = Readonly<{ type: 'report'; records: readonly TopicRecord[]; timestampType: string }>;

export type ChildMessage = SandboxReady | SandboxOrders | ServingResult | TopicProgress | TopicReport | Readonly<{ type: 'topic-ready' }>;

/** Start a helper (a .ts file next to this one) with tsx, its input as JSON in argv. */
export const startHelper = (file: string, input: unknown): ChildProcess => {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), [JSON.stringify(input)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // A send racing the helper's exit fails with EPIPE; the exit itself is what callers wait for.
  child.on('error', (error) => process.stderr.write(`helper ${file}: ${error.message}\n`));
  return child;
};

/** The helper's next message of `type` (rejects if it exits first). */
export const nextMessage = <T extends ChildMessage['type']>(child: ChildProcess, type: T, timeoutMs = 600_000): Promise<Extract<ChildMessage, { type: T }>> =>
  new Promise((resolve, reject) => {
    const onMessage = (m: ChildMessage) => {
      if (m.type !== type) return;
      cleanup();
      resolve(m as Extract<ChildMessage, { type: T }>);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`helper exited with ${code} before sending "${type}"`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "${type}" from the helper within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });

/** Ask a helper to finish and wait for it to exit. */
export const stopHelper = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A helper that is done on its own has already disconnected; then just wait for its exit.
  if (child.connected) child.send({ type: 'close' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
};

/** For the helpers: their input, and a typed send. */
export const helperInput = <T>(): T => JSON.parse(process.argv[2] ?? '{}') as T;
export const send = (message: ChildMessage) => process.send?.(message);
/** For the helpers: run `onClose` when the parent asks to finish (or goes away), then exit. */
export const onParentClose = (onClose: () => Promise<void>) => {
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    // A client stuck reconnecting (e.g. to a broker that went away) must not keep the helper alive.
    setTimeout(() => process.exit(0), 5000).unref();
    void onClose().finally(() => process.exit(0));
  };
  process.on('message', (m: { type?: string }) => m.type === 'close' && close());
  process.on('disconnect', close);
};
