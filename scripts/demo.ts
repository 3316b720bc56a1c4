/**
 * `npm run demo`: OMS end to end on one machine with nothing else installed or running.
 *
 * Starts the Amazon and Walmart sandboxes in-process (seeded orders of the last days, FBA/WFS
 * included) and OMS on embedded PGlite, then — over the real HTTP API, like a user — creates a
 * tenant and an API key, connects an Amazon EU account (consent played like a browser: GB, DE, FR)
 * and a Walmart store, imports products and mappings by CSV (pack factors, a 6-pack, a kit, one SKU
 * left unmapped), pulls every store, waits for the release policy, plays a small WMS (ships most
 * orders with tracking, rejects one), waits until OMS has acknowledged, confirmed and cancelled at the
 * marketplaces, and prints a summary. A second, small Amazon account (the seller's outlet) loses its
 * grant after its first pull, so one store fails visibly. Then it keeps serving until Ctrl-C / SIGTERM.
 *
 * Environment (nothing else is read; DATABASE_URL, KAFKA_* and the like are ignored on purpose):
 *   PORT          OMS port (default 3000; 0 = any free port, the URL is printed)
 *   HOST          OMS listen address (default 127.0.0.1)
 *   DEMO_DATA_DIR data directory (default ./.oms-data-demo). RESET AT EVERY START: the demo empties
 *                 it first, but only if the demo created it (it holds a `.oms-demo` marker) or it is
 *                 empty; any other directory is refused.
 *   DEMO_EXIT=1   exit 0 right after the summary instead of serving
 *   LOG_LEVEL     level of the OMS log, written to <data dir>/oms.log (default info)
 *
 * When stdout is not a terminal (captured by a script or a test), the summary ends with one line
 * `DEMO_SUMMARY {json}`: the same figures, machine-readable. Any failure prints one clear message
 * (on stderr) and exits 1.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { ConfigError, loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { ensureConsoleBuilt } from '../src/console/build.js';
import { createService, type Service } from '../src/service.js';
import { defaultAmazonApp, defaultWalmartApp, startSandboxes, type Sandboxes } from '../src/sandbox/index.js';
import { apiClient, DemoError } from './demo/api.js';
import { seedAndPlan } from './demo/data.js';
import { breakOutlet, readFailingStore } from './demo/failingStore.js';
import { awaitMarketplaceSync, gatherMarketplaces, sandboxRecord } from './demo/marketplaces.js';
import { runScenario } from './demo/scenario.js';
import { gatherSummary, renderSummary, SUMMARY_PREFIX } from './demo/summary.js';
import { runWms } from './demo/wms.js';

const SEED = 'oms-demo';
/** The outlet account's region (the sandbox's second seller sells in the US only). */
const OUTLET_REGION = 'NA';
const MARKER = '.oms-demo';
const env = process.env;
const started = performance.now();
const out = (line = '') => void process.stdout.write(`${line}\n`);
const seconds = (from: number) => Math.round((performance.now() - from) / 100) / 10;
const shown = (s: number) => `${s.toFixed(1)} s`;

/** Empty the demo's data directory — only one the demo made (marker) or an empty one. */
const resetDataDir = async (dir: string) => {
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (entries.length > 0 && !entries.includes(MARKER)) {
    throw new DemoError(`${dir} is not empty and was not created by the demo (no ${MARKER} file): set DEMO_DATA_DIR to a new directory`);
  }
  await Promise.all(entries.map((e) => rm(join(dir, e), { recursive: true, force: true })));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER), 'Data of `npm run demo`: emptied at every demo start.\n');
};

/** The port to listen on: PORT, checked free now (a clear message beats EADDRINUSE later), or any free one for 0. */
const choosePort = (host: string, wanted: number): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new DemoError(`port ${wanted} on ${host} is in use (another OMS or demo?): set PORT to a free port, or PORT=0`) : error),
    );
    probe.listen(wanted, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });

const parsePort = (text: string | undefined) => {
  const value = Number(text || 3000);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new DemoError('PORT must be an integer within 0..65535');
  return value;
};

const urlHost = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host);

let sandboxes: Sandboxes | null = null;
let service: Service | null = null;
let stopping: Promise<void> | null = null;

/** Stop OMS (requests, background work, database), then the sandboxes; once. */
const shutdown = () =>
  (stopping ??= (async () => {
    const svc = service;
    service = null;
    if (svc) await svc.stop().catch((error: unknown) => out(`  (stopping OMS: ${(error as Error).message})`));
    const sb = sandboxes;
    sandboxes = null;
    if (sb) await sb.close().catch(() => undefined);
  })());

const onSignal = (signal: NodeJS.Signals) => {
  if (stopping) {
    out(`${signal} again: exiting now`);
    process.exit(1);
  }
  out(`\n${signal}: stopping OMS and the sandboxes…`);
  const force = setTimeout(() => {
    out('could not stop within 15 s: exiting');
    process.exit(1);
  }, 15_000);
  force.unref();
  void shutdown().then(() => process.exit(0));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/** "  ✓ label — detail (0.4 s)" around a step. */
const step = async <T>(label: string, run: () => Promise<T>, detail?: (result: T) => string): Promise<T> => {
  const t0 = performance.now();
  const result = await run();
  out(`  ✓ ${label}${detail ? ` — ${detail(result)}` : ''} (${shown(seconds(t0))})`);
  return result;
};

const main = async () => {
  const host = env.HOST || '127.0.0.1';
  const dataDir = resolve(env.DEMO_DATA_DIR || '.oms-data-demo');
  const shownDataDir = relative(process.cwd(), dataDir).startsWith('..') ? dataDir : `./${relative(process.cwd(), dataDir) || '.'}`;
  const logFile = join(dataDir, 'oms.log');
  const exitAfterSummary = ['1', 'true', 'yes'].includes((env.DEMO_EXIT ?? '').toLowerCase());
  const timings: Record<string, number> = {};

  out('OMS demo: marketplace sandboxes + OMS on embedded PGlite, driven over HTTP');
  const port = await choosePort(host, parsePort(env.PORT));
  const url = `http://${urlHost(host)}:${port}`;
  await resetDataDir(dataDir);

  let t0 = performance.now();
  const sb = await step('Marketplace sandboxes (Amazon NA/EU/FE, Walmart), seeded', async () => {
    // The sandbox app's registered redirect URI is this OMS's callback, so the consent redirect comes straight back here.
    const app = { ...defaultAmazonApp(SEED), redirectUris: [`${url}/v1/authorizations/amazon/callback`] };
    // Likewise the Walmart app's Auth Callback URL (Walmart Connect).
    const walmartApp = { ...defaultWalmartApp(SEED), redirectUris: [`${url}/v1/authorizations/walmart/callback`] };
    sandboxes = await startSandboxes({ seed: SEED, host: '127.0.0.1', amazon: { orders: false, apps: [app], throttling: false }, walmart: { orders: false, apps: [walmartApp] } });
    return sandboxes;
  });
  const plan = seedAndPlan(sb, Date.now());
  out(`    ${plan.orders.amazon} Amazon orders (GB, DE, FR) and ${plan.orders.walmart} Walmart orders over the last days`);
  timings.sandboxes = seconds(t0);

  t0 = performance.now();
  const logLevel = env.LOG_LEVEL || 'info';
  const config = loadConfig({
    NODE_ENV: 'development',
    HOST: host,
    PORT: String(port),
    LOG_LEVEL: logLevel,
    OMS_DATA_DIR: dataDir,
    // Held back until the mappings are imported (see runScenario), then started.
    PULL_SCHEDULER: 'off',
    AMAZON_APP_ID: sb.amazon.app.applicationId,
    AMAZON_LWA_CLIENT_ID: sb.amazon.app.clientId,
    AMAZON_LWA_CLIENT_SECRET: sb.amazon.app.clientSecret,
    AMAZON_REDIRECT_URI: sb.amazon.app.redirectUris[0],
    AMAZON_LWA_URL: sb.amazon.urls.NA,
    AMAZON_SPAPI_URL_NA: sb.amazon.urls.NA,
    AMAZON_SPAPI_URL_EU: sb.amazon.urls.EU,
    AMAZON_SPAPI_URL_FE: sb.amazon.urls.FE,
    AMAZON_SELLER_CENTRAL_URL_NA: sb.amazon.urls.NA,
    AMAZON_SELLER_CENTRAL_URL_EU: sb.amazon.urls.EU,
    AMAZON_SELLER_CENTRAL_URL_FE: sb.amazon.urls.FE,
    WALMART_API_URL: sb.walmart.url,
    WALMART_APP_CLIENT_ID: sb.walmart.app.clientId,
    WALMART_APP_CLIENT_SECRET: sb.walmart.app.clientSecret,
    WALMART_REDIRECT_URI: sb.walmart.app.redirectUris[0],
    WALMART_LOGIN_URL: sb.walmart.url,
  });
  const logger = createLogger(config.log, pino.destination({ dest: logFile, sync: true }));
  const svc = await step(`OMS on embedded PGlite (${shownDataDir})`, async () => {
    service = await createService(config, { logger, consoleDir: await ensureConsoleBuilt() });
    await service.start();
    await service.app.listen({ host: config.http.host, port: config.http.port });
    return service;
  }, () => url);
  const adminToken = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
  timings.omsStart = seconds(t0);

  t0 = performance.now();
  const api = apiClient(url);
  const result = await runScenario({
    api,
    adminToken,
    plan,
    startScheduler: () => svc.scheduler.start(),
    step,
    outlet: {
      region: OUTLET_REGION,
      signInAs: (who) => sb.amazon.consentAs((who === 'outlet' ? sb.amazon.sellers[1] : sb.amazon.sellers[0])!.sellerId),
    },
  });
  const outletSeller = sb.amazon.sellers[1]!.sellerId;
  const failing = await step(
    'Outlet store: the seller removes OMS in Seller Central, its next pull fails',
    () => breakOutlet(api, result.apiKey, result.outlet, () => void sb.amazon.revoke({ sellerId: outletSeller, region: OUTLET_REGION })),
    (f) => `${f.marketplaceName}: ${f.failures} failed pull, authorization ${f.authorizationStatus}`,
  );
  timings.setupAndPulls = seconds(t0);

  t0 = performance.now();
  await step('Projections and release policy settled', async () => {
    await svc.projections.caughtUp(['orders', 'mappings', 'pull_schedule']);
    await svc.policyRunner.caughtUp();
    await svc.projections.caughtUp(['orders']);
  });
  timings.settle = seconds(t0);

  // A small WMS: reads the feed, ships most orders with tracking, rejects one (POST /v1/warehouse/events).
  t0 = performance.now();
  const wms = await step(
    'Warehouse (a small WMS) reported shipments',
    async () => {
      const report = await runWms(api, result.apiKey);
      await svc.projections.caughtUp(['orders']);
      return report;
    },
    (r) => `${r.shippedOrders} orders shipped in ${r.shipments} shipments, ${r.rejectedOrders} rejected, ${r.waiting} left for later`,
  );
  timings.warehouse = seconds(t0);

  // OMS tells the marketplaces (acknowledgements, shipment confirmations, the cancellation) on its own: wait for it, bounded.
  t0 = performance.now();
  const marketplaces = await step(
    'Marketplaces told: Walmart acknowledged, shipments confirmed, the rejected order cancelled',
    async () => {
      const wait = await awaitMarketplaceSync(api, result.apiKey);
      return { wait, ...(await gatherMarketplaces(api, result.apiKey, sandboxRecord(sb))) };
    },
    (m) =>
      m.marketplaces.map((x) => `${x.platform} ${x.confirmed}/${x.shipped} shipped orders confirmed`).join(', ') +
      (m.wait.settled ? '' : ` (gave up waiting: ${m.wait.pending} pending)`),
  );
  timings.marketplaceSync = seconds(t0);
  timings.total = seconds(started);

  const summary = await gatherSummary(api, {
    ...result,
    dataDir: shownDataDir,
    logFile,
    mappings: { perStore: plan.mappings.length, sixPack: plan.sixPack, kit: plan.kit, unmapped: plan.unmapped },
    timings,
    shipmentsSent: wms.shipments,
    marketplaces,
    // Read again: what the Attention page shows now.
    failingStores: [await readFailingStore(api, result.apiKey, failing)],
  });
  out(renderSummary(summary));
  // The web console: the first operator, made by OMS in embedded mode (one-time password).
  const operator = await svc.firstOperator();
  out();
  out('Console (sign in as the generated operator; change the one-time password after signing in):');
  out(`CONSOLE_URL=${url}/`);
  out(`CONSOLE_USER=${operator?.email ?? ''}`);
  out(`CONSOLE_PASSWORD=${operator?.oneTimePassword ?? ''}`);
  // For scripts and the test (output captured, not a terminal): the same figures as one JSON line.
  if (!process.stdout.isTTY) {
    out();
    out(`${SUMMARY_PREFIX}${JSON.stringify(summary)}`);
  }

  if (exitAfterSummary) {
    await shutdown();
    process.exit(0);
  }
  out();
  out(`Serving on ${url} (scheduled pulls every ${config.pull.intervalMinutes} min). Ctrl-C to stop.`);
};

main().catch(async (error: unknown) => {
  if (stopping) return; // a signal arrived mid-run: the shutdown handler exits
  const message = error instanceof DemoError || error instanceof ConfigError ? error.message : ((error as Error).stack ?? String(error));
  process.stderr.write(`\ndemo failed: ${message}\n`);
  const logFile = join(resolve(env.DEMO_DATA_DIR || '.oms-data-demo'), 'oms.log');
  if (service) process.stderr.write(`(OMS log: ${logFile})\n`);
  await shutdown();
  process.exit(1);
});
