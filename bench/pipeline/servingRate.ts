/**
 * bench:pipeline helper — the baseline: how fast the Walmart sandbox serves the same orders to a
 * plain HTTP client that does nothing with them (no parsing beyond JSON, no storage), in its own
 * process. Like the scheduler, it reads CONCURRENCY sellers at a time; per seller, both ship-node
 * types, 200 orders a page, the created-date range cut into windows small enough to stay under
 * the sandbox's 10,000-orders-per-query cap (Walmart's).
 */
import { randomUUID } from 'node:crypto';
import { helperInput, onParentClose, send, type SellerKey } from './protocol.js';

type Input = { url: string; sellers: SellerKey[]; concurrency: number; fromMs: number; toMs: number; ordersPerSeller: number };
const { url, sellers, concurrency, fromMs, toMs, ordersPerSeller } = helperInput<Input>();

const PER_WINDOW = 4000;
const windows = Math.max(1, Math.ceil(ordersPerSeller / PER_WINDOW));
const start = fromMs - 3_600_000;
const end = toMs + 60_000;
const step = Math.ceil((end - start) / windows);

const latencies: number[] = [];
const seen = new Set<string>();
let served = 0;

const timed = async (input: string, init: RequestInit) => {
  const t0 = process.hrtime.bigint();
  const res = await fetch(input, init);
  const body = res.status === 404 ? null : ((await res.json()) as unknown);
  latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (res.status !== 200 && res.status !== 404) throw new Error(`${input}: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
};

const readSeller = async (seller: SellerKey) => {
  const common = { 'wm_svc.name': 'bench', 'wm_qos.correlation_id': randomUUID(), accept: 'application/json' };
  const token = (await timed(`${url}/v3/token`, {
    method: 'POST',
    headers: { ...common, authorization: `Basic ${Buffer.from(`${seller.clientId}:${seller.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  })) as { access_token: string };
  const headers = { ...common, 'wm_sec.access_token': token.access_token };
  for (let w = 0; w < windows; w++) {
    const from = new Date(start + w * step).toISOString();
    const to = new Date(Math.min(end, start + (w + 1) * step) - 1).toISOString();
    for (const shipNode of ['SellerFulfilled', 'WFSFulfilled']) {
      let path: string | null = `/v3/orders?limit=200&shipNodeType=${shipNode}&createdStartDate=${from}&createdEndDate=${to}`;
      while (path) {
        const body = (await timed(`${url}${path}`, { headers })) as { list: { meta: { nextCursor?: string | null }; elements: { order: { purchaseOrderId: string }[] } } } | null;
        if (!body) break;
        for (const order of body.list.elements.order) seen.add(order.purchaseOrderId);
        served += body.list.elements.order.length;
        const next = body.list.meta.nextCursor;
        path = next ? `/v3/orders${next}` : null;
      }
    }
  }
};

const queue = [...sellers];
const t0 = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: Math.min(concurrency, sellers.length) }, async () => {
    for (let seller = queue.shift(); seller; seller = queue.shift()) await readSeller(seller);
  }),
);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const sorted = latencies.sort((a, b) => a - b);
const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
send({ type: 'served', orders: served, distinct: seen.size, requests: latencies.length, seconds, pageP50Ms: at(0.5), pageP99Ms: at(0.99) });
onParentClose(async () => undefined);
