/**
 * bench:pipeline helper — the Walmart marketplace sandbox, in its own process: SELLERS sellers
 * (one API key each, so one OMS store each), ORDERS orders spread evenly over them, created over
 * the last 40 hours (inside OMS's 3-day look-back) and last modified 3 minutes ago.
 *
 * The mix is the fault tests' (30 % pending, 50 % unshipped, 10 % shipped, 10 % cancelled, 15 %
 * WFS): most orders are released to the warehouse, some are recorded only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { startSandboxes, type WalmartClient } from '../../src/sandbox/index.js';
import { helperInput, onParentClose, send } from './protocol.js';

const { orders, sellers, seed } = helperInput<{ orders: number; sellers: number; seed: string }>();
const HOUR = 3_600_000;

const clients: WalmartClient[] = Array.from({ length: sellers }, (_, i) => ({
  label: `seller-${i}`,
  partnerId: `1000${String(1_000_000 + i).padStart(7, '0')}`,
  clientId: randomUUID(),
  // Walmart secrets are long base64url strings (64 bytes).
  clientSecret: randomBytes(64).toString('base64url'),
}));

const sandboxes = await startSandboxes({ seed, amazon: { orders: false, throttling: false }, walmart: { orders: false, clients } });
const now = Date.now();
const fromMs = now - 40 * HOUR;
const toMs = now - 3 * 60_000;
clients.forEach((client, i) => {
  // Spread the remainder so the counts add up to exactly `orders`.
  const count = Math.floor(orders / sellers) + (i < orders % sellers ? 1 : 0);
  sandboxes.walmart.orders.generate({
    count,
    partnerId: client.partnerId,
    from: fromMs,
    to: toMs,
    wfsShare: 0.15,
    stages: { pending: 0.3, unshipped: 0.5, shipped: 0.1, cancelled: 0.1 },
  });
});

process.on('message', (m: { type?: string }) => {
  if (m.type !== 'orders') return;
  const byPartner = Object.fromEntries(clients.map((c) => [c.partnerId, sandboxes.walmart.orders.list({ partnerId: c.partnerId }).map((o) => o.purchaseOrderId)]));
  send({ type: 'orders', byPartner });
});
onParentClose(() => sandboxes.close());

send({
  type: 'ready',
  walmartUrl: sandboxes.walmart.url,
  sellers: clients.map(({ clientId, clientSecret, partnerId }) => ({ clientId, clientSecret, partnerId })),
  skus: [...new Set(sandboxes.walmart.catalog.map((c) => c.sku))],
  orders: sandboxes.walmart.orders.count(),
  fromMs,
  toMs,
});
