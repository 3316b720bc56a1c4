import t from 'tap';
import { z } from 'zod';
import { OrderHeld } from '../../../src/domain/order/fulfillmentEvents.js';
import type { RecordedEvent } from '../../../src/domain/ports/eventStore.js';
import { decodeWith } from '../../../src/domain/shared/commandHandler.js';
import { EVENT_VERSIONS, EventVersionError, UPCASTERS, eventVersions } from '../../../src/domain/shared/eventVersions.js';

/**
 * A test-only event that changes shape the way a real one would: v1 weighed in grams, v2 carries a
 * weight with its unit. The registry below is the test's own; the project's (UPCASTERS) is untouched.
 */
const ParcelWeighedV1 = z.object({
  type: z.literal('ParcelWeighed'),
  schemaVersion: z.literal(1),
  data: z.object({ parcelId: z.string(), grams: z.number().int(), weighedAt: z.iso.datetime() }),
});
const ParcelWeighedV2 = z.object({
  type: z.literal('ParcelWeighed'),
  schemaVersion: z.literal(2),
  data: z.object({ parcelId: z.string(), weight: z.object({ value: z.number(), unit: z.enum(['g', 'kg']) }), weighedAt: z.iso.datetime() }),
});
const v1ToV2 = (data: unknown) => {
  const { grams, ...rest } = data as z.infer<typeof ParcelWeighedV1>['data'];
  return { ...rest, weight: { value: grams, unit: 'g' } };
};
const withV2 = eventVersions({ ParcelWeighed: { 1: v1ToV2 } });

const recorded = (type: string, data: unknown, metadata: Record<string, unknown>, revision = 0): RecordedEvent =>
  ({ id: `id-${revision}`, streamId: 'parcel-1', revision, type, data, metadata, recordedAt: '2026-12-03T10:00:00.000Z', checkpoint: String(revision) }) as RecordedEvent;

const v1Data = { parcelId: 'parcel-1', grams: 1250, weighedAt: '2026-12-03T09:59:00.000Z' };
const v2Data = { parcelId: 'parcel-1', weight: { value: 1.25, unit: 'kg' }, weighedAt: '2026-12-03T09:59:30.000Z' };

t.test('a v1 event recorded before the change is decoded as v2 by the registry that knows v2', async (t) => {
  const decode = decodeWith(ParcelWeighedV2, withV2);
  t.same(decode(recorded('ParcelWeighed', v1Data, { schemaVersion: 1, actor: 'system:test' })), {
    type: 'ParcelWeighed',
    schemaVersion: 2,
    data: { parcelId: 'parcel-1', weight: { value: 1250, unit: 'g' }, weighedAt: '2026-12-03T09:59:00.000Z' },
  });
  t.same(decode(recorded('ParcelWeighed', v2Data, { schemaVersion: 2 })), { type: 'ParcelWeighed', schemaVersion: 2, data: v2Data }, 'a v2 event is not upcast');
  t.same(decode(recorded('ParcelWeighed', v1Data, {})).schemaVersion, 2, 'an event without a recorded version is v1 (then upcast)');
  t.equal(withV2.current('ParcelWeighed'), 2);
  t.equal(withV2.current('SomethingElse'), 1, 'types without upcasters stay at 1');
  const stored = Object.freeze({ ...v1Data });
  t.doesNotThrow(() => decode(recorded('ParcelWeighed', stored, { schemaVersion: 1 })), 'the upcaster reads the stored data without changing it');
});

t.test('a history mixing versions folds as one version', async (t) => {
  const decode = decodeWith(ParcelWeighedV2, withV2);
  const history = [recorded('ParcelWeighed', v1Data, { schemaVersion: 1 }, 0), recorded('ParcelWeighed', v2Data, { schemaVersion: 2 }, 1)].map(decode);
  t.same(
    history.map((e) => e.data.weight),
    [
      { value: 1250, unit: 'g' },
      { value: 1.25, unit: 'kg' },
    ],
  );
});

t.test('upcasters chain until the current version', async (t) => {
  const v2ToV3 = (data: unknown) => ({ ...(data as object), scale: 'unknown' });
  const withV3 = eventVersions({ ParcelWeighed: { 1: v1ToV2, 2: v2ToV3 } });
  t.same(withV3.upcast('ParcelWeighed', 1, v1Data), {
    schemaVersion: 3,
    data: { parcelId: 'parcel-1', weight: { value: 1250, unit: 'g' }, weighedAt: '2026-12-03T09:59:00.000Z', scale: 'unknown' },
  });
  t.same(withV3.upcast('ParcelWeighed', 3, { x: 1 }), { schemaVersion: 3, data: { x: 1 } });
});

t.test('the current code is untouched: the project registry has no upcasters and decodes v1 as v1', async (t) => {
  t.same(UPCASTERS, {}, 'every event type is at schemaVersion 1 today');
  t.ok(Object.isFrozen(UPCASTERS));
  t.equal(EVENT_VERSIONS.current('ParcelWeighed'), 1, 'the test registry did not leak into the project one');
  t.equal(EVENT_VERSIONS.current('OrderHeld'), 1);
  t.same(decodeWith(ParcelWeighedV1)(recorded('ParcelWeighed', v1Data, { schemaVersion: 1 })), { type: 'ParcelWeighed', schemaVersion: 1, data: v1Data });
});

t.test('a version newer than the code knows fails with a typed error naming type and version, never the payload', async (t) => {
  const secret = { parcelId: 'parcel-1', grams: 1, weighedAt: '2026-12-03T09:59:00.000Z', buyerName: 'Jane Q. Buyer' };
  const error = t.throws(() => decodeWith(ParcelWeighedV2, withV2)(recorded('ParcelWeighed', secret, { schemaVersion: 3 }))) as unknown;
  t.ok(error instanceof EventVersionError);
  const e = error as EventVersionError;
  t.match(e, { name: 'EventVersionError', reason: 'newer_than_known', eventType: 'ParcelWeighed', schemaVersion: 3, currentVersion: 2 });
  t.equal(e.message, 'ParcelWeighed at schemaVersion 3 is newer than this code knows (2)');
  t.notMatch(e.message + JSON.stringify(e), /Jane|parcel-1|grams/, 'no payload in the error');

  // The same for a real type: the release that wrote an OrderHeld v2 is not the one reading it.
  const held = { orderId: 'o-1', tenantId: 't-1', storeId: 's-1', unmappedSkus: [], heldSince: '2026-12-03T09:00:00.000Z', orderVersion: 1 };
  t.throws(() => decodeWith(OrderHeld)(recorded('OrderHeld', held, { schemaVersion: 2 })), { name: 'EventVersionError', reason: 'newer_than_known', eventType: 'OrderHeld', schemaVersion: 2 });
});

t.test('a version that is no version fails clearly', async (t) => {
  for (const bad of ['2', 0, -1, 1.5, null]) {
    t.throws(() => decodeWith(ParcelWeighedV2, withV2)(recorded('ParcelWeighed', v1Data, { schemaVersion: bad })), { name: 'EventVersionError', reason: 'invalid_version', eventType: 'ParcelWeighed' }, JSON.stringify(bad));
  }
  t.equal(new EventVersionError('invalid_version', 'ParcelWeighed', 'secret text', 2).message, 'ParcelWeighed has no valid schemaVersion (string)', 'a non-number version is named by its kind only');
});

t.test('a registry with a gap in its upcasters is refused when it is built', async (t) => {
  t.throws(() => eventVersions({ ParcelWeighed: { 2: v1ToV2 } }), { name: 'EventVersionError', reason: 'no_upcaster', eventType: 'ParcelWeighed', schemaVersion: 1, currentVersion: 3 });
});
