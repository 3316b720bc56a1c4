// The event-processing runtime's hooks reach /metrics: batches, events and sink time per processor,
// and the retry counter, on the running service's own registry.
import t from 'tap';
import { startTestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

/** The samples of one metric: label set → value. */
const samples = (text: string, metric: string) =>
  [...text.matchAll(new RegExp(`^${metric}\\{([^}]*)\\} (\\S+)$`, 'gm'))].map((m) => ({ labels: m[1]!, value: Number(m[2]) }));

t.test('processors report their batches, events and sink time on /metrics', async (t) => {
  const svc = await startTestService(t);
  const { apiKey } = await createTenant(svc, 'Metrics Ltd');
  // A product: an event the products projection applies.
  t.equal((await svc.call('POST', '/v1/products', { token: apiKey, body: { sku: 'WIDGET', name: 'Widget' } })).status, 201);
  let text = '';
  const deadline = Date.now() + 60_000;
  // The projections apply the product's event in the background: wait until they have counted them.
  while (samples(text, 'oms_processor_events_total').every((s) => s.value === 0)) {
    if (Date.now() > deadline) throw new Error('no processor counted an event on /metrics');
    await new Promise((r) => setTimeout(r, 100));
    text = await (await svc.call('GET', '/metrics')).text();
  }
  const events = samples(text, 'oms_processor_events_total').filter((s) => s.value > 0);
  const processor = /processor="([^"]+)"/.exec(events[0]!.labels)![1]!;
  t.ok(processor, `events counted for processor ${processor}`);
  const batches = samples(text, 'oms_processor_batches_total').find((s) => s.labels.includes(`processor="${processor}"`));
  t.ok(batches && batches.value >= 1, 'and its batches');
  const timed = samples(text, 'oms_processor_batch_seconds_count').find((s) => s.labels.includes(`processor="${processor}"`));
  t.equal(timed?.value, batches?.value, 'one sink time observed per batch');
  t.match(text, /# HELP oms_processor_retries_total /, 'the retry counter is registered (by processor and error code)');
});
