/**
 * Runs the Amazon and Walmart sandboxes standalone for local development and prints how to reach
 * them. Usage: npx tsx scripts/sandbox.ts [--seed s] [--host 127.0.0.1] [--amazon-port 4100]
 * [--walmart-port 4200] [--orders 200] [--days 14] [--no-throttling] [--walmart-throttling]
 * Amazon enforces its published usage plans unless --no-throttling; Walmart publishes no order-list
 * rate, so its sandbox enforces the attributed figures only with --walmart-throttling.
 * The Amazon sandbox listens on three ports (NA, EU, FE): --amazon-port, +1 and +2 when it is not 0.
 */
import { parseArgs } from 'node:util';
import { startSandboxes } from '../src/sandbox/index.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: 'oms-sandbox' },
    host: { type: 'string', default: '127.0.0.1' },
    'amazon-port': { type: 'string', default: '4100' },
    'walmart-port': { type: 'string', default: '4200' },
    orders: { type: 'string', default: '200' },
    days: { type: 'string', default: '14' },
    'no-throttling': { type: 'boolean', default: false },
    'walmart-throttling': { type: 'boolean', default: false },
  },
});

const number = (name: string, text: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer`);
  return value;
};

const amazonPort = number('amazon-port', values['amazon-port']);
const orders = { count: number('orders', values.orders), days: number('days', values.days) };
const sandboxes = await startSandboxes({
  seed: values.seed,
  host: values.host,
  amazon: {
    ports: amazonPort === 0 ? {} : { NA: amazonPort, EU: amazonPort + 1, FE: amazonPort + 2 },
    orders,
    throttling: !values['no-throttling'],
  },
  walmart: { port: number('walmart-port', values['walmart-port']), orders, throttling: values['walmart-throttling'] },
});
const { amazon, walmart } = sandboxes;

const lines = [
  `Marketplace sandboxes (seed ${values.seed})`,
  '',
  'Amazon',
  `  AMAZON_LWA_URL=${amazon.url}`,
  ...(['NA', 'EU', 'FE'] as const).flatMap((region) => [
    `  AMAZON_SPAPI_URL_${region}=${amazon.urls[region]}`,
    `  AMAZON_SELLER_CENTRAL_URL_${region}=${amazon.urls[region]}`,
  ]),
  `  AMAZON_APP_ID=${amazon.app.applicationId}`,
  `  AMAZON_LWA_CLIENT_ID=${amazon.app.clientId}`,
  `  AMAZON_LWA_CLIENT_SECRET=${amazon.app.clientSecret}`,
  `  AMAZON_REDIRECT_URI=${amazon.app.redirectUris[0] ?? ''}`,
  `  sellers: ${amazon.sellers.map((s) => `${s.sellerId} (${s.storeName})`).join(', ')}; consenting: ${amazon.sellers[0]?.sellerId ?? ''}`,
  `  orders: ${amazon.orders.count()}`,
  '',
  'Walmart',
  `  WALMART_API_URL=${walmart.url}`,
  ...walmart.clients.map((c) => `  ${c.label}: clientId=${c.clientId} clientSecret=${c.clientSecret}`),
  `  orders: ${walmart.orders.count()}`,
  '',
  'Ctrl-C to stop.',
];
process.stdout.write(`${lines.join('\n')}\n`);

const stop = async () => {
  await sandboxes.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
