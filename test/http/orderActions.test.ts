// Operator actions on an order over real HTTP, with the real PostgreSQL, the Walmart sandbox and the
// shared Kafka broker: hold, release, cancel, re-send and the ship-to correction, each allowed or
// refused by state (stable codes) and by role (sessions and API keys), recorded with the actor and
// the reason, and reaching the warehouse as the right message type — on Kafka and the HTTP feed
// alike. The buyer-data view: who may, recorded, erased data reads as erased.
import { Kafka, logLevel } from 'kafkajs';
import t from 'tap';
import { findKafkaBrokers, uniqueTopic } from '../support/kafka.js';
import { authorizeWalmart, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { ADMIN_TOKEN, json, startTestService, type TestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';
import { orderStreamId } from '../../src/domain/order/streams.js';

const MIN = 60_000;
const STREET = '17 Quillfeather Lane';
type Session = Readonly<{ cookie: string; csrf: string; userId: string }>;
type FeedMsg = { messageId: string; type: string; order: { orderId: string; shipTo: { name: string | null; addressLine1: string | null; city: string | null; postalCode: string | null }; lines: { sku: string; quantity: number }[] } };

const signedIn = async (svc: TestService, body: Record<string, unknown>): Promise<Session> => {
  const password = 'a long enough password';
  const created = await json(await svc.call('POST', '/v1/users', { token: ADMIN_TOKEN, body: { ...body, password } }));
  const res = await svc.call('POST', '/v1/session', { body: { email: body.email, password } });
  if (res.status !== 200) throw new Error(`sign-in: ${res.status}`);
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: (await json(res)).csrfToken, userId: created.userId };
};

const wms = async (t: { teardown: (fn: () => unknown) => void }, brokers: string[], topic: string) => {
  const kafka = new Kafka({ clientId: 'wms-actions', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  for (let i = 0; i < 100 && !(await admin.listTopics()).includes(topic); i++) await new Promise((r) => setTimeout(r, 100));
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `wms-${topic}` });
  const received: FeedMsg[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void received.push(JSON.parse(message.value!.toString())) });
  t.teardown(() => consumer.disconnect());
  const until = async (predicate: (all: FeedMsg[]) => boolean, what: string) => {
    for (let i = 0; i < 300; i++) {
      if (predicate(received)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`WMS never received ${what}`);
  };
  return { received, until };
};

t.test('operator actions on orders: state, roles, events, feed messages', async (t) => {
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('actions');
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(
    t,
    { ...sandboxEnv(sandboxes), KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: '1', RATE_LIMIT_PER_MINUTE: '100000' },
    { clock, timing: clock.timing },
  );
  const a = await createTenant(svc, 'Alpha');
  const b = await createTenant(svc, 'Bravo');
  const key = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: a.apiKey, ...(body !== undefined ? { body } : {}) });
  await key('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
  const { walmart } = sandboxes;
  const shipped = walmart.orders.add({ status: 'Acknowledged', lines: [{ sku: 'WM-1', quantity: 2 }] });
  const noCity = walmart.orders.add({ status: 'Acknowledged', lines: [{ sku: 'WM-1', quantity: 1 }] });
  walmart.orders.update(noCity.purchaseOrderId, (o) => void ((o.shippingInfo.postalAddress as Record<string, unknown>).city = null));
  clock.advance(3 * MIN);
  const storeId = (await authorizeWalmart(svc, a.apiKey, sandboxes, { initialLookbackDays: 3 })).storeIds[0] as string;
  await key('PUT', `/v1/stores/${storeId}/mappings/WM-1`, { components: [{ sku: 'WIDGET', quantity: 3 }] });
  await svc.projections.caughtUp(['pull_schedule', 'mappings']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 2 });
  const settle = async () => {
    await svc.policyRunner.caughtUp();
    await svc.projections.caughtUp(['orders']);
  };
  await settle();
  const orders = (await json(await key('GET', `/v1/orders?storeId=${storeId}`))).items as { orderId: string; platformOrderId: string; handoff: { state: string } }[];
  const orderId = orders.find((o) => o.platformOrderId === shipped.purchaseOrderId)!.orderId;
  const heldId = orders.find((o) => o.platformOrderId === noCity.purchaseOrderId)!.orderId;
  t.same(orders.map((o) => o.handoff.state).sort(), ['held', 'released']);

  const ops = await signedIn(svc, { email: 'ops@oms.example', role: 'operator' });
  const admin = await signedIn(svc, { email: 'admin@alpha.example', role: 'seller_admin', tenantId: a.tenantId });
  const viewer = await signedIn(svc, { email: 'viewer@alpha.example', role: 'seller_viewer', tenantId: a.tenantId });
  const auditor = await signedIn(svc, { email: 'audit@oms.example', role: 'auditor' });
  const otherAdmin = await signedIn(svc, { email: 'admin@bravo.example', role: 'seller_admin', tenantId: b.tenantId });
  const as = (s: Session, method: string, path: string, body?: unknown, tenant: string | null = a.tenantId) =>
    svc.call(method, path, { ...(body !== undefined ? { body } : {}), headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...(tenant ? { 'x-oms-tenant': tenant } : {}) } });
  const events = async (id: string) => svc.store.readStream(orderStreamId(id));
  const eventCount = async () => Number((await svc.db.query<{ n: number }>('SELECT count(*)::int AS n FROM es_events')).rows[0]!.n);
  const detail = async (id: string) => json(await key('GET', `/v1/orders/${id}`));
  const consumer = await wms(t, brokers, topic);
  const forOrder = (id: string) => consumer.received.filter((m) => m.order.orderId === id);
  await consumer.until((all) => all.some((m) => m.order.orderId === orderId), 'the first release');

  await t.test('roles: read-only roles change nothing, a seller admin only holds and releases, another tenant sees nothing', async (t) => {
    const before = await eventCount();
    for (const s of [viewer, auditor]) {
      const res = await as(s, 'POST', `/v1/orders/${orderId}/hold`, { reason: 'not allowed' });
      t.equal(res.status, 403);
      t.match(await json(res), { code: 'read_only_role' });
    }
    for (const action of ['cancel', 'resend']) {
      const res = await as(admin, 'POST', `/v1/orders/${orderId}/${action}`, { reason: 'not mine to do' });
      t.equal(res.status, 403, `seller admin: ${action}`);
      t.match(await json(res), { code: 'order_action_forbidden' });
    }
    const address = await as(admin, 'PUT', `/v1/orders/${heldId}/ship-to`, { reason: 'x'.repeat(5), shipTo: { name: 'N', addressLines: ['1 A St'], city: 'C', postalCode: '1', countryCode: 'US' } });
    t.match(await json(address), { status: 403, code: 'order_action_forbidden' });
    t.match(await json(await key('POST', `/v1/orders/${orderId}/cancel`, { reason: 'machines do not cancel' })), { status: 403, code: 'order_action_forbidden' });
    const other = await as(otherAdmin, 'POST', `/v1/orders/${orderId}/hold`, { reason: 'not my tenant' }, null);
    t.equal(other.status, 404, "another tenant's order: not found");
    t.equal((await as(otherAdmin, 'GET', `/v1/orders/${orderId}/buyer`, undefined, null)).status, 404);
    for (const s of [viewer, auditor]) t.match(await json(await as(s, 'GET', `/v1/orders/${orderId}/buyer`)), { status: 403, code: 'buyer_data_forbidden' });
    t.match(await json(await key('GET', `/v1/orders/${orderId}/buyer`)), { status: 403, code: 'buyer_data_forbidden' }, 'API keys do not read buyer data');
    t.match(await json(await as(ops, 'POST', `/v1/orders/${orderId}/hold`, {})), { status: 400 }, 'a reason is required');
    t.match(await json(await as(ops, 'POST', `/v1/orders/${orderId}/hold`, { reason: '  ' })), { status: 400 }, 'a blank reason is no reason');
    t.equal(await eventCount(), before, 'nothing written');
  });

  await t.test('hold after release tells the warehouse to stop; a second hold is refused; the release sends it again', async (t) => {
    const held = await as(admin, 'POST', `/v1/orders/${orderId}/hold`, { reason: 'buyer asked to wait' });
    t.equal(held.status, 202, 'a seller admin holds its own order');
    t.match(await json(held), { orderId, events: ['OrderHeldByOperator'] });
    await settle();
    const d = await detail(orderId);
    t.equal(d.handoff.state, 'held');
    t.match(d.holdReasons, [{ code: 'operator_hold', reason: 'buyer asked to wait', actor: `user:${admin.userId}` }]);
    const again = await as(ops, 'POST', `/v1/orders/${orderId}/hold`, { reason: 'twice' });
    t.equal(again.status, 409);
    t.match(await json(again), { code: 'action_not_allowed', action: 'hold', handoffState: 'held' });
    t.match(await json(await as(ops, 'POST', `/v1/orders/${orderId}/resend`, { reason: 'lost it' })), { status: 409, code: 'action_not_allowed', handoffState: 'held' });
    const released = await as(ops, 'POST', `/v1/orders/${orderId}/release`, { reason: 'buyer confirmed' });
    t.equal(released.status, 202);
    await settle();
    t.equal((await detail(orderId)).handoff.state, 'released', 'the release policy released it again');
    await consumer.until((all) => all.filter((m) => m.order.orderId === orderId).length >= 3, 'the hold and the new release');
    t.same(forOrder(orderId).map((m) => m.type), ['FulfillmentOrderReleased', 'FulfillmentOrderCancelled', 'FulfillmentOrderReleased']);
    const history = (await json(await as(auditor, 'GET', `/v1/orders/${orderId}/history`))).items as { type: string; actor: string; data: { reason?: string } }[];
    t.match(
      history.filter((h) => h.type.endsWith('ByOperator')),
      [
        { type: 'OrderHeldByOperator', actor: `user:${admin.userId}`, data: { reason: 'buyer asked to wait' } },
        { type: 'OrderReleasedByOperator', actor: `user:${ops.userId}`, data: { reason: 'buyer confirmed' } },
      ],
      'who and why, in the history',
    );
  });

  await t.test('re-send: the release again under a new message id', async (t) => {
    const n = forOrder(orderId).length;
    t.equal((await as(ops, 'POST', `/v1/orders/${orderId}/resend`, { reason: 'the WMS lost it' })).status, 202);
    await consumer.until((all) => all.filter((m) => m.order.orderId === orderId).length > n, 'the re-send');
    const [previous, resent] = forOrder(orderId).slice(-2);
    t.equal(resent!.type, 'FulfillmentOrderReleased');
    t.not(resent!.messageId, previous!.messageId, 'a new message id');
    t.same(resent!.order.lines, previous!.order.lines, 'the current release');
  });

  await t.test('an address correction reaches the warehouse as an update; it is sealed in the events', async (t) => {
    const n = forOrder(orderId).length;
    const bad = await as(ops, 'PUT', `/v1/orders/${orderId}/ship-to`, { reason: 'typo', shipTo: { name: 'Ann', addressLines: [STREET], city: 'Bentonville', countryCode: 'US' } });
    t.equal(bad.status, 422);
    t.match(await json(bad), { code: 'ship_to_incomplete', missingFields: ['postalCode'] });
    const res = await as(ops, 'PUT', `/v1/orders/${orderId}/ship-to`, { reason: 'buyer moved', shipTo: { name: 'Ann Example', addressLines: [STREET], city: 'Bentonville', stateOrRegion: 'AR', postalCode: '72712', countryCode: 'us' } });
    t.equal(res.status, 202);
    await consumer.until((all) => all.filter((m) => m.order.orderId === orderId).length > n, 'the update');
    const update = forOrder(orderId).at(-1)!;
    t.equal(update.type, 'FulfillmentOrderUpdated');
    t.match(update.order.shipTo, { name: 'Ann Example', addressLine1: STREET, city: 'Bentonville', postalCode: '72712' });
    t.ok(update.order.lines.length > 0, 'with the lines last sent');
    const all = JSON.stringify((await svc.store.readAll(null, { maxCount: 10_000 })).events);
    t.notOk(all.includes(STREET) || all.includes('Ann Example'), 'never in clear in the events');
    t.notOk(svc.logs().includes(STREET), 'nor in the logs');
    const history = JSON.stringify(await json(await as(ops, 'GET', `/v1/orders/${orderId}/history`)));
    t.notOk(history.includes(STREET), 'the history shows a marker');
  });

  await t.test('buyer data: operators and seller admins, every view recorded', async (t) => {
    const res = await as(admin, 'GET', `/v1/orders/${orderId}/buyer`);
    t.equal(res.status, 200);
    t.equal(res.headers.get('cache-control'), 'no-store');
    t.match(await json(res), { orderId, erased: false, shipToSource: 'corrected', shipTo: { addressLines: [STREET] } });
    t.match(await json(await as(ops, 'GET', `/v1/orders/${heldId}/buyer`)), { erased: false, shipToSource: 'marketplace', shipTo: { city: null } });
    const views = (await events(orderId)).filter((e) => e.type === 'BuyerDataViewed');
    t.match(views.map((v) => v.data), [{ orderId, actor: `user:${admin.userId}` }], 'who, when, which order');
  });

  await t.test('cancel toward the warehouse; nothing after it', async (t) => {
    const n = forOrder(orderId).length;
    t.equal((await as(ops, 'POST', `/v1/orders/${orderId}/cancel`, { reason: 'fraud suspected' })).status, 202);
    await consumer.until((all) => all.filter((m) => m.order.orderId === orderId).length > n, 'the cancellation');
    const cancelled = forOrder(orderId).at(-1)!;
    t.equal(cancelled.type, 'FulfillmentOrderCancelled');
    t.ok(cancelled.order.lines.length > 0, 'repeats the lines last sent');
    await settle();
    t.equal((await detail(orderId)).handoff.state, 'cancelled');
    for (const action of ['hold', 'cancel', 'resend']) {
      t.match(await json(await as(ops, 'POST', `/v1/orders/${orderId}/${action}`, { reason: 'too late' })), { status: 409, code: 'action_not_allowed', handoffState: 'cancelled' });
    }
    const feed = await json(await key('GET', '/v1/warehouse/feed?limit=100'));
    t.same(
      feed.messages.filter((m: FeedMsg) => m.order.orderId === orderId).map((m: FeedMsg) => [m.messageId, m.type]),
      forOrder(orderId).map((m) => [m.messageId, m.type]),
      'the HTTP feed serves the same messages as Kafka',
    );
  });

  await t.test('an order held for its address: release refused until the address is corrected, then released; erased data reads as erased', async (t) => {
    const refused = await as(ops, 'POST', `/v1/orders/${heldId}/release`, { reason: 'ship it' });
    t.equal(refused.status, 409);
    t.match(await json(refused), { code: 'release_not_allowed', handoffState: 'held', holdReasons: ['address_incomplete'] });
    const corrected = await as(ops, 'PUT', `/v1/orders/${heldId}/ship-to`, { reason: 'buyer phoned', shipTo: { name: 'Bo Example', addressLines: ['2 Elm St'], city: 'Rogers', postalCode: '72756', countryCode: 'US' } });
    t.equal(corrected.status, 202);
    t.equal((await detail(heldId)).handoff.state, 'held', 'still held until a person releases it');
    t.equal((await as(admin, 'POST', `/v1/orders/${heldId}/release`, { reason: 'address fixed' })).status, 202);
    await settle();
    t.equal((await detail(heldId)).handoff.state, 'released');
    await consumer.until((all) => all.some((m) => m.order.orderId === heldId), 'the release of the corrected order');
    t.match(forOrder(heldId)[0], { type: 'FulfillmentOrderReleased', order: { shipTo: { addressLine1: '2 Elm St', city: 'Rogers' } } });
    // Erasure (crypto-shredding the order's data key) covers the correction too.
    await svc.vault.destroyOwner(orderStreamId(heldId));
    t.match(await json(await as(ops, 'GET', `/v1/orders/${heldId}/buyer`)), { erased: true, shipTo: null, buyer: null, shipToSource: null });
  });
});
