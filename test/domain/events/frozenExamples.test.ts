import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { systemSkuDecider } from '../../../src/domain/catalog/decider.js';
import { fulfillmentDecider } from '../../../src/domain/order/fulfillment.js';
import { OrderPulled } from '../../../src/domain/order/events.js';
import type { Checkpoint, RecordedEvent } from '../../../src/domain/ports/eventStore.js';
import { decodeWith, toNewEvents, type DomainEvent } from '../../../src/domain/shared/commandHandler.js';
import { foldEvents } from '../../../src/domain/shared/decider.js';
import { EVENT_VERSIONS } from '../../../src/domain/shared/eventVersions.js';
import { tenantDecider } from '../../../src/domain/tenant/decider.js';
import { definedEvents } from './definedEvents.js';

/**
 * Frozen examples: one recorded event per type and version (test/domain/events/v<N>/<Type>.json, the
 * stored layout: type, metadata.schemaVersion, data). They are never edited once committed — an
 * event already in a store cannot change either — so a schema change that would no longer read
 * them, or would rewrite their shape, fails here and becomes a new version (docs/events.md).
 */
type Frozen = Readonly<{ type: string; metadata: Readonly<{ schemaVersion: number }>; data: unknown }>;

const root = new URL('./', import.meta.url);
const versionDirs = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && /^v[1-9]\d*$/.test(d.name))
  .map((d) => ({ version: Number(d.name.slice(1)), dir: new URL(`${d.name}/`, root) }));
const examples = versionDirs.flatMap(({ version, dir }) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ version, file, type: file.slice(0, -'.json'.length), frozen: JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Frozen })),
);
const example = (type: string, version = 1) => {
  const found = examples.find((e) => e.type === type && e.version === version);
  if (!found) throw new Error(`no frozen example of ${type} v${version}`);
  return found.frozen;
};

let position = 0;
const recorded = (frozen: Frozen): RecordedEvent =>
  ({
    id: `00000000-0000-4000-8000-${String(++position).padStart(12, '0')}`,
    streamId: 'frozen-examples',
    revision: position,
    type: frozen.type,
    data: frozen.data,
    metadata: { actor: 'system:test', ...frozen.metadata },
    recordedAt: '2026-12-03T00:00:00.000Z',
    checkpoint: String(position) as Checkpoint,
  }) satisfies RecordedEvent;

/** What a producer appends for a domain event, in the frozen layout (the store adds id, actor…). */
const stored = (event: DomainEvent): Frozen => {
  const [e] = toNewEvents([event], {}, { newId: () => 'id' });
  return { type: e!.type, metadata: { schemaVersion: e!.metadata!.schemaVersion as number }, data: e!.data };
};

t.test('frozen examples of every event type', async (t) => {
  const { events, unions, conflicts } = await definedEvents();
  t.same(conflicts, [], 'one schema per event type');
  t.ok(events.size >= 60, `found the domain's event schemas (${events.size})`);
  t.ok(versionDirs.some((d) => d.version === 1), 'test/domain/events/v1 exists');

  t.test('(a) every event type the code defines has a v1 example, and every example names a defined type', async (t) => {
    const v1 = new Set(examples.filter((e) => e.version === 1).map((e) => e.type));
    t.same([...events.keys()].filter((type) => !v1.has(type)).sort(), [], 'types without a frozen v1 example');
    t.same(examples.filter((e) => !events.has(e.type)).map((e) => `v${e.version}/${e.file}`), [], 'examples of no defined type');
    for (const e of examples) {
      t.equal(e.frozen.type, e.type, `v${e.version}/${e.file} holds its own type`);
      t.equal(e.frozen.metadata.schemaVersion, e.version, `v${e.version}/${e.file} is at its directory's version`);
    }
    for (const [type, defined] of events) {
      t.equal(defined.schemaVersion, EVENT_VERSIONS.current(type), `${type}: the schema parses the version the upcasters lead to`);
      t.ok(examples.some((e) => e.type === type && e.version === defined.schemaVersion), `${type}: an example of the current version v${defined.schemaVersion}`);
    }
  });

  t.test('(b) each example decodes with today’s decoder: its own schema and every union that holds it', async (t) => {
    for (const e of examples) {
      const defined = events.get(e.type);
      if (!defined) continue;
      const decoded = decodeWith(defined.schema as never)(recorded(e.frozen)) as DomainEvent;
      t.equal(decoded.schemaVersion, defined.schemaVersion, `v${e.version}/${e.file} decodes to v${defined.schemaVersion}`);
      for (const union of unions.filter((u) => u.types.includes(e.type))) {
        t.same(decodeWith(union.schema as never)(recorded(e.frozen)), decoded, `v${e.version}/${e.file} through ${union.name}`);
      }
    }
  });

  t.test('(c) re-encoding the decoded current-version example writes exactly the frozen shape', async (t) => {
    // Catches a field dropped or renamed without a new version: the schema would strip or refuse it.
    for (const e of examples) {
      const defined = events.get(e.type);
      if (!defined || e.version !== defined.schemaVersion) continue;
      t.strictSame(stored(decodeWith(defined.schema as never)(recorded(e.frozen)) as DomainEvent), e.frozen, `v${e.version}/${e.file}`);
    }
  });
});

t.test('(c) the deciders write the frozen shapes', async (t) => {
  t.test('catalog: creating the product', async (t) => {
    const created = example('SystemSkuCreated') as Frozen & { data: { tenantId: string; sku: string; name: string; barcode: string; createdAt: string } };
    const { tenantId, sku, name, barcode, createdAt } = created.data;
    const events = systemSkuDecider.decide({ type: 'CreateSystemSku', data: { tenantId, sku, name, barcode, now: createdAt } }, systemSkuDecider.initialState());
    t.strictSame(events.map(stored), [created]);
  });

  t.test('tenant: creating it, issuing and revoking a key', async (t) => {
    const created = example('TenantCreated') as Frozen & { data: { tenantId: string; name: string; createdAt: string } };
    const issued = example('ApiKeyIssued') as Frozen & { data: { tenantId: string; keyId: string; name: string; salt: string; keyHash: string; issuedAt: string } };
    const revoked = example('ApiKeyRevoked') as Frozen & { data: { tenantId: string; keyId: string; revokedAt: string } };
    const { tenantId } = created.data;
    const c = tenantDecider.decide({ type: 'CreateTenant', data: { tenantId, name: created.data.name, now: created.data.createdAt } }, tenantDecider.initialState());
    t.strictSame(c.map(stored), [created]);
    const { issuedAt, ...key } = issued.data;
    const i = tenantDecider.decide({ type: 'IssueApiKey', data: { ...key, now: issuedAt } }, foldEvents(tenantDecider, c));
    t.strictSame(i.map(stored), [issued]);
    const r = tenantDecider.decide({ type: 'RevokeApiKey', data: { tenantId, keyId: key.keyId, now: revoked.data.revokedAt } }, foldEvents(tenantDecider, [...c, ...i]));
    t.strictSame(r.map(stored), [revoked]);
  });

  t.test('hand-off: the frozen pulled order, under the frozen mapping, is released as frozen', async (t) => {
    const pulled = decodeWith(OrderPulled)(recorded(example('OrderPulled')));
    const mapping = example('MappingSet') as Frozen & { data: { platformSku: string; version: number; components: { sku: string; quantity: number }[] } };
    const released = example('FulfillmentOrderReleased') as Frozen & { data: { releasedAt: string } };
    const mappings = new Map([[mapping.data.platformSku, { version: mapping.data.version, components: mapping.data.components }]]);
    const decided = fulfillmentDecider.decide({ type: 'Evaluate', data: { mappings, now: released.data.releasedAt, owner: null } }, foldEvents(fulfillmentDecider, [pulled]));
    t.strictSame(decided.map(stored), [released]);
  });
});
