// The event-processing runtime's hooks reach /metrics: batches, events and sink time per processor,
// the retry counter, and the reactors' backlog, on the running service's own registry.
import t from 'tap';
import { authorizeAmazon, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
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

t.test("a reactor's backlog is on /metrics: events it has not reacted to, 0 once caught up", async (t) => {
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false } });
  const svc = await startTestService(t, sandboxEnv(sandboxes));
  const tenant = await createTenant(svc, 'Backlog Ltd');
  await svc.call('POST', '/v1/products', { token: tenant.apiKey, body: { sku: 'WIDGET', name: 'Widget' } });
  const auth = await authorizeAmazon(svc, tenant.apiKey, { region: 'NA' });
  const storeId = auth.marketplaces[0].storeId as string;
  const policyBehind = async () => {
    const text = await (await svc.call('GET', '/metrics')).text();
    return samples(text, 'oms_reactor_events_behind').find((s) => s.labels.includes('reactor="policy:release"'))?.value;
  };
  await svc.policyRunner.caughtUp();
  t.equal(await policyBehind(), 0, 'caught up: 0 behind');
  // Stopped, the policy does not react to two mapping changes: both are its backlog.
  await svc.policyRunner.stop();
  for (const sku of ['AMZ-1', 'AMZ-2']) {
    const put = await svc.call('PUT', `/v1/stores/${storeId}/mappings/${sku}`, { token: tenant.apiKey, body: { components: [{ sku: 'WIDGET', quantity: 1 }] } });
    t.equal(put.status, 200, `mapping ${sku} set`);
  }
  await svc.store.awaitVisible();
  t.equal(await policyBehind(), 2, 'two mapping changes not reacted to');
  svc.policyRunner.start();
  await svc.policyRunner.caughtUp();
  t.equal(await policyBehind(), 0, 'and 0 again once it has reacted');
});
