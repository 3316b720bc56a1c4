import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Metrics } from '../adapters/metrics/metrics.js';
import type { ProcessorMetrics } from '../adapters/processing/processor.js';
import type { Timing } from '../adapters/marketplaces/timing.js';
import type { AppDeps } from '../application/context.js';
import type { EventStore } from '../domain/ports/eventStore.js';
import type { Clock } from '../domain/ports/ids.js';
import type { Database } from '../domain/ports/sql.js';
import type { Vault } from '../domain/ports/vault.js';
import type { RouteGroup } from '../http/app.js';
import type { ReadinessCheck } from '../http/health.routes.js';

/** Background work a module runs while the service is started. */
export type Processor = Readonly<{
  start: () => Promise<void> | void;
  /** Interrupt work in flight (e.g. marketplace calls) before every processor is stopped. */
  interrupt?: () => void;
  stop: () => Promise<unknown>;
}>;

/** What a capability adds to the service; service.ts collects these from every module. */
export type Module = Readonly<{
  routes?: readonly RouteGroup[];
  checks?: readonly ReadinessCheck[];
  /** Sets the module's gauges before a metrics scrape. */
  refreshGauges?: () => Promise<void>;
}>;

/** What every module is built from: the opened infrastructure, the vault, metrics and the use cases' ports. */
export type Platform = Readonly<{
  config: Config;
  log: Logger;
  db: Database;
  store: EventStore;
  vault: Vault;
  metrics: Metrics;
  /** Hooks every event processor reports its batches and retries to. */
  processingMetrics: ProcessorMetrics;
  clock: Clock;
  /** How the marketplace clients read time and wait. */
  timing: Timing;
  appDeps: AppDeps;
  /** The current master key, then the previous ones (a rotation under way). */
  masterKeys: readonly Buffer[];
  /** A key derived from the master key for one purpose (content hashes, CSRF tokens). */
  derivedKey: (purpose: string) => Buffer;
}>;
