import { z } from 'zod';
import { esdbConnectionStringProblem } from './adapters/eventStore/esdbConnection.js';
import { DEFAULT_KAFKA_CLIENT } from './adapters/kafka/port.js';

/**
 * The whole configuration, read once from the environment by the composition root.
 * Names follow DESIGN.md §3; they may grow but never change meaning.
 */

const csv = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port[,host:port...]')).min(1));

const url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const emptyAsUnset = (v: unknown) => (v === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUnset, schema.optional());

const masterKey = z
  .string()
  .refine((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s) && Buffer.from(s, 'base64').length === 32, {
    error: 'expected 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)',
  });

const Env = z.object({
  NODE_ENV: z.preprocess(emptyAsUnset, z.enum(['development', 'production', 'test']).default('development')),
  PORT: z.preprocess(emptyAsUnset, int(0, 65535).default(3000)),
  HOST: z.preprocess(emptyAsUnset, z.string().default('127.0.0.1')),
  LOG_LEVEL: z.preprocess(
    emptyAsUnset,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')),
  DATABASE_POOL_SIZE: z.preprocess(emptyAsUnset, int(1, 200).default(10)),
  OMS_DATA_DIR: z.preprocess(emptyAsUnset, z.string().default('./.oms-data')),
  // Only schemes the installed client parses (esdbConnection.ts): a typo stops start-up here.
  ESDB_CONNECTION_STRING: optional(
    z.string().superRefine((v, ctx) => {
      const problem = esdbConnectionStringProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  ),
  KAFKA_BROKERS: optional(csv),
  KAFKA_TOPIC: z.preprocess(emptyAsUnset, z.string().regex(/^[A-Za-z0-9._-]{1,249}$/).default('oms.fulfillment-orders.v1')),
  KAFKA_TOPIC_PARTITIONS: z.preprocess(emptyAsUnset, int(1, 1000).default(6)),
  KAFKA_REPLICATION_FACTOR: z.preprocess(emptyAsUnset, int(1, 10).default(1)),
  // The Kafka client library behind the port (issue #19 item 7; docs/platform.md has the comparison).
  KAFKA_CLIENT: z.preprocess(emptyAsUnset, z.enum(['kafkajs', 'platformatic']).default(DEFAULT_KAFKA_CLIENT)),
  // Warehouse events in (issue #15): the topic the WMS writes and this deployment's consumer group.
  WAREHOUSE_EVENTS_TOPIC: z.preprocess(emptyAsUnset, z.string().regex(/^[A-Za-z0-9._-]{1,249}$/).default('oms.warehouse-events.v1')),
  WAREHOUSE_EVENTS_GROUP: z.preprocess(emptyAsUnset, z.string().regex(/^[A-Za-z0-9._-]{1,249}$/).default('oms-warehouse-events')),
  OMS_ADMIN_TOKEN: optional(z.string().min(16, 'must be at least 16 characters')),
  OMS_MASTER_KEY: optional(masterKey),
  OMS_MASTER_KEY_PREVIOUS: optional(
    z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(masterKey)),
  ),
  RATE_LIMIT_PER_MINUTE: z.preprocess(emptyAsUnset, int(1, 1_000_000).default(600)),
  AUTH_FAILURES_PER_MINUTE: z.preprocess(emptyAsUnset, int(1, 1_000_000).default(60)),
  AMAZON_APP_ID: optional(z.string().min(1)),
  AMAZON_LWA_CLIENT_ID: optional(z.string().min(1)),
  AMAZON_LWA_CLIENT_SECRET: optional(z.string().min(1)),
  AMAZON_REDIRECT_URI: optional(url),
  AMAZON_APP_DRAFT: z.preprocess(emptyAsUnset, z.stringbool().default(false)),
  AMAZON_LWA_URL: z.preprocess(emptyAsUnset, url.default('https://api.amazon.com')),
  AMAZON_SPAPI_URL_NA: z.preprocess(emptyAsUnset, url.default('https://sellingpartnerapi-na.amazon.com')),
  AMAZON_SPAPI_URL_EU: z.preprocess(emptyAsUnset, url.default('https://sellingpartnerapi-eu.amazon.com')),
  AMAZON_SPAPI_URL_FE: z.preprocess(emptyAsUnset, url.default('https://sellingpartnerapi-fe.amazon.com')),
  AMAZON_SELLER_CENTRAL_URL_NA: z.preprocess(emptyAsUnset, url.default('https://sellercentral.amazon.com')),
  AMAZON_SELLER_CENTRAL_URL_EU: z.preprocess(emptyAsUnset, url.default('https://sellercentral-europe.amazon.com')),
  AMAZON_SELLER_CENTRAL_URL_FE: z.preprocess(emptyAsUnset, url.default('https://sellercentral.amazon.co.jp')),
  // Seller Central of a store's country: {host} becomes the published host (for the sandbox); unset: https://{host}.
  AMAZON_SELLER_CENTRAL_URL_TEMPLATE: optional(
    z.string().refine((v) => v.includes('{host}') && /^https?:\/\//.test(v), { error: 'expected an http(s) URL containing {host}' }),
  ),
  // The operator console: consent callbacks send the seller's browser there (…/#/authorizations/<id>?outcome=…).
  CONSOLE_URL: optional(url),
  WALMART_API_URL: z.preprocess(emptyAsUnset, url.default('https://marketplace.walmartapis.com')),
  // Walmart Connect (OAuth 2.0 for solution providers): OMS's app and its Auth Callback URL.
  WALMART_APP_CLIENT_ID: optional(z.string().min(1)),
  WALMART_APP_CLIENT_SECRET: optional(z.string().min(1)),
  WALMART_REDIRECT_URI: optional(url),
  WALMART_LOGIN_URL: z.preprocess(emptyAsUnset, url.default('https://login.account.wal-mart.com')),
  PULL_INTERVAL_MINUTES: z.preprocess(emptyAsUnset, int(1, 1440).default(15)),
  PULL_WINDOW_HOURS: z.preprocess(emptyAsUnset, int(1, 24 * 30).default(48)),
  PULL_SWEEP_HOURS: z.preprocess(emptyAsUnset, int(0, 24 * 30).default(24)),
  DEFAULT_LOOKBACK_DAYS: z.preprocess(emptyAsUnset, int(3, 5).default(3)),
  PULL_SCHEDULER: z.preprocess(emptyAsUnset, z.enum(['on', 'off']).default('on')),
  PULL_CONCURRENCY: z.preprocess(emptyAsUnset, int(1, 64).default(4)),
  PULL_CLAIM_LEASE_SECONDS: z.preprocess(emptyAsUnset, int(5, 3600).default(120)),
  PULL_MAX_BACKLOG: z.preprocess(emptyAsUnset, int(0, 1_000_000).default(400)),
  PULL_BACKLOG_MAX_WAIT_SECONDS: z.preprocess(emptyAsUnset, int(1, 3600).default(30)),
  MARKETPLACE_RETRY_BASE_MS: z.preprocess(emptyAsUnset, int(1, 600_000).default(1000)),
  MARKETPLACE_MAX_ATTEMPTS: z.preprocess(emptyAsUnset, int(1, 20).default(6)),
  SHUTDOWN_GRACE_MS: z.preprocess(emptyAsUnset, int(100, 120_000).default(10_000)),
  IMPORT_CONCURRENCY: z.preprocess(emptyAsUnset, int(1, 64).default(2)),
  BUYER_DATA_RETENTION_DAYS: z.preprocess(emptyAsUnset, int(0, 3650).default(30)),
  RETENTION_INTERVAL_MINUTES: z.preprocess(emptyAsUnset, int(1, 1440).default(60)),
  RETENTION_JOB: z.preprocess(emptyAsUnset, z.enum(['on', 'off']).default('on')),
  /** Acknowledgements, shipment confirmations and cancellations sent to the marketplaces (docs/order-loop.md). */
  MARKETPLACE_SYNC: z.preprocess(emptyAsUnset, z.enum(['on', 'off']).default('on')),
});

type Env = z.infer<typeof Env>;

const toConfig = (e: Env) =>
  Object.freeze({
    env: e.NODE_ENV,
    http: { host: e.HOST, port: e.PORT },
    log: { level: e.LOG_LEVEL },
    database: e.DATABASE_URL
      ? ({ kind: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE } as const)
      : ({ kind: 'pglite', dataDir: e.OMS_DATA_DIR } as const),
    dataDir: e.OMS_DATA_DIR,
    eventStore: e.ESDB_CONNECTION_STRING
      ? ({ kind: 'esdb', connectionString: e.ESDB_CONNECTION_STRING } as const)
      : ({ kind: 'sql' } as const),
    kafka: e.KAFKA_BROKERS
      ? {
          brokers: e.KAFKA_BROKERS,
          topic: e.KAFKA_TOPIC,
          partitions: e.KAFKA_TOPIC_PARTITIONS,
          replicationFactor: e.KAFKA_REPLICATION_FACTOR,
          client: e.KAFKA_CLIENT,
        }
      : null,
    /** The warehouse-events consumer (only with Kafka; without it the WMS uses POST /v1/warehouse/events). */
    warehouseEvents: e.KAFKA_BROKERS
      ? {
          brokers: e.KAFKA_BROKERS,
          topic: e.WAREHOUSE_EVENTS_TOPIC,
          groupId: e.WAREHOUSE_EVENTS_GROUP,
          partitions: e.KAFKA_TOPIC_PARTITIONS,
          replicationFactor: e.KAFKA_REPLICATION_FACTOR,
          client: e.KAFKA_CLIENT,
        }
      : null,
    adminToken: e.OMS_ADMIN_TOKEN ?? null,
    masterKey: e.OMS_MASTER_KEY ?? null,
    previousMasterKeys: e.OMS_MASTER_KEY_PREVIOUS ?? [],
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
    amazon: {
      appId: e.AMAZON_APP_ID ?? null,
      lwaClientId: e.AMAZON_LWA_CLIENT_ID ?? null,
      lwaClientSecret: e.AMAZON_LWA_CLIENT_SECRET ?? null,
      redirectUri: e.AMAZON_REDIRECT_URI ?? null,
      appIsDraft: e.AMAZON_APP_DRAFT,
      lwaUrl: e.AMAZON_LWA_URL,
      spApiUrl: { NA: e.AMAZON_SPAPI_URL_NA, EU: e.AMAZON_SPAPI_URL_EU, FE: e.AMAZON_SPAPI_URL_FE },
      sellerCentralUrl: {
        NA: e.AMAZON_SELLER_CENTRAL_URL_NA,
        EU: e.AMAZON_SELLER_CENTRAL_URL_EU,
        FE: e.AMAZON_SELLER_CENTRAL_URL_FE,
      },
      sellerCentralUrlTemplate: e.AMAZON_SELLER_CENTRAL_URL_TEMPLATE ?? null,
    },
    consoleUrl: e.CONSOLE_URL ?? null,
    walmart: {
      apiUrl: e.WALMART_API_URL,
      connect:
        e.WALMART_APP_CLIENT_ID && e.WALMART_APP_CLIENT_SECRET && e.WALMART_REDIRECT_URI
          ? { clientId: e.WALMART_APP_CLIENT_ID, clientSecret: e.WALMART_APP_CLIENT_SECRET, redirectUri: e.WALMART_REDIRECT_URI, loginUrl: e.WALMART_LOGIN_URL }
          : null,
    },
    marketplaceRetry: { baseDelayMs: e.MARKETPLACE_RETRY_BASE_MS, maxAttempts: e.MARKETPLACE_MAX_ATTEMPTS },
    pull: {
      intervalMinutes: e.PULL_INTERVAL_MINUTES,
      windowHours: e.PULL_WINDOW_HOURS,
      sweepEveryHours: e.PULL_SWEEP_HOURS,
      defaultLookbackDays: e.DEFAULT_LOOKBACK_DAYS,
      schedulerEnabled: e.PULL_SCHEDULER === 'on',
      concurrency: e.PULL_CONCURRENCY,
      claimLeaseMs: e.PULL_CLAIM_LEASE_SECONDS * 1000,
      maxBacklog: e.PULL_MAX_BACKLOG,
      backlogMaxWaitMs: e.PULL_BACKLOG_MAX_WAIT_SECONDS * 1000,
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    importConcurrency: e.IMPORT_CONCURRENCY,
    retention: { days: e.BUYER_DATA_RETENTION_DAYS, intervalMs: e.RETENTION_INTERVAL_MINUTES * 60_000, jobEnabled: e.RETENTION_JOB === 'on' },
    marketplaceSync: { enabled: e.MARKETPLACE_SYNC === 'on' },
  });

export type Config = ReturnType<typeof toConfig>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parse the environment. On failure the message names every bad variable and why, never its value
 * (values may be secrets).
 */
export const loadConfig = (env: Readonly<Record<string, string | undefined>>): Config => {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = toConfig(parsed.data);
  if (config.env === 'production' && !config.masterKey) {
    throw new ConfigError(
      'Invalid configuration:\n  OMS_MASTER_KEY: required when NODE_ENV=production (32 bytes, base64)',
    );
  }
  return config;
};
