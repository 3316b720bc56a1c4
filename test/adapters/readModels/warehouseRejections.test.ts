import { randomUUID } from 'node:crypto';
import t from 'tap';
import { sqlEventStore } from '../../../src/adapters/eventStore/sqlEventStore.js';
import { warehouseRejections } from '../../../src/adapters/readModels/warehouseRejections.js';
import { listCursor } from '../../../src/adapters/shared/cursorCodec.js';
import { InvalidCursorError } from '../../../src/domain/ports/cursors.js';
import { warehouseRejectionStreamId } from '../../../src/domain/warehouse/warehouseRejection.js';
import { embeddedDatabase } from '../../support/postgres.js';
import { z } from 'zod';

t.test("a tenant's rejected warehouse messages page latest first with opaque cursors; one not issued here is refused", async (t) => {
  const db = await embeddedDatabase(t);
  const store = sqlEventStore(db, { pollIntervalMs: 100 });
  const tenantId = randomUUID();
  const rejected = (i: number) => ({
    id: randomUUID(),
    type: 'WarehouseMessageRejected',
    data: {
      tenantId, messageId: `m-${i}`, messageType: 'ShipmentConfirmed', orderId: null, reason: 'order_not_found', detail: `message ${i}`,
      payloadHash: 'a'.repeat(64), payloadBytes: 10, source: { topic: 't', partition: 0, offset: String(i) }, rejectedAt: '2026-12-03T10:00:00.000Z',
    },
    metadata: { schemaVersion: 1 },
  });
  await store.append(warehouseRejectionStreamId(tenantId), [0, 1, 2, 3, 4].map(rejected), 'no_stream');
  const list = warehouseRejections(store);

  const seen: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 5; page++) {
    const { items, nextCursor } = await list.list(tenantId, { after, limit: 2 });
    seen.push(...items.map((m) => m.messageId ?? ''));
    if (nextCursor === null) break;
    t.match(nextCursor, /^[A-Za-z0-9_-]+$/, 'an opaque cursor');
    after = nextCursor;
  }
  t.same(seen, ['m-4', 'm-3', 'm-2', 'm-1', 'm-0'], 'every message once, latest first');

  await t.rejects(list.list(tenantId, { after: '3', limit: 2 }), InvalidCursorError, 'a bare revision (the format before the codec)');
  await t.rejects(list.list(tenantId, { after: listCursor('orders', z.number()).encode(3), limit: 2 }), InvalidCursorError, "another list's cursor");
  await t.rejects(list.list(tenantId, { after: listCursor('warehouse-rejections', z.number()).encode(0), limit: 2 }), InvalidCursorError, 'a revision no page ends below');
});
