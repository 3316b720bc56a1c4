// Seeded fuzzing of the whole service over real HTTP on the real PostgreSQL, with a tenant key.
// 1. Every route of the service's own /openapi.json gets random and malformed input (wrong types,
//    missing and extra fields, huge and control-character strings, bad path ids, random and
//    truncated JSON, wrong content types, oversized bodies, random query strings). Every answer must
//    be below 500; every refusal problem+json with a title and its status; and a request that is
//    not answered 2xx must write nothing (es_events, es_streams, vault_secrets, vault_destroyed).
// 2. The two CSV importers get random and malformed files: 200 or 4xx only, a refused file writes
//    nothing, an accepted file reads back consistently (export / the same file imports unchanged).
// The seed is printed; FUZZ_SEED=<number or text> replays another run.
import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { authorizeWalmart, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { json, startTestService, type TestService } from '../support/service.js';
import { createTenant, seedStore } from '../support/tenants.js';

const API_REQUESTS = 1500;
const CSV_FILES = 160;

const seedOf = (raw: string | undefined): number => {
  if (raw === undefined || raw === '') return 20261123;
  if (/^\d+$/.test(raw)) return Number(raw) >>> 0;
  let h = 2166136261;
  for (const ch of raw) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
  return h;
};
const SEED = seedOf(process.env.FUZZ_SEED);

// ------------------------------------------------------------------------------ random source
type Rng = ReturnType<typeof rngOf>;
/** mulberry32: small, fast, reproducible. */
const rngOf = (seed: number) => {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => int(0, 255))),
    uuid: () => {
      const h = Array.from({ length: 32 }, () => int(0, 15).toString(16)).join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
};

const UNICODE = ['é', 'ß', 'Ω', '中文', '🙂', '👩‍👩‍👧', '\u202e', '\u200b', '\ufeff', 'ﬁ', 'e\u0301', '\u0663', 'Ⅻ', '\ud800', '\udfff', '\uffff'];
const CONTROL = ['\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u2028'];
const NASTY = ["'; DROP TABLE es_events; --", '../../etc/passwd', '%00', '%', '${x}', '{{x}}', '<script>', 'null', 'true', '-1', '1e309', 'NaN', '0x10', ' ', '\\', '"', ',', 'WIDGET\u0000', 'widget'];

/** A random string: empty, ASCII, unicode (lone surrogates too), control characters, huge, or nasty. */
const str = (r: Rng): string => {
  switch (r.int(0, 7)) {
    case 0:
      return '';
    case 1:
      return Array.from({ length: r.int(1, 40) }, () => String.fromCharCode(r.int(32, 126))).join('');
    case 2:
      return Array.from({ length: r.int(1, 12) }, () => r.pick(UNICODE)).join('');
    case 3:
      return Array.from({ length: r.int(1, 8) }, () => (r.chance(0.5) ? r.pick(CONTROL) : 'A')).join('');
    case 4:
      return r.pick(['x', 'é', '🙂', 'A,']).repeat(r.pick([65, 256, 1025, 10_000, 70_000]));
    case 5:
      return r.pick(NASTY);
    case 6:
      return r.pick(['WIDGET', 'GADGET', 'Name', 'P-1', 'A b c']);
    default:
      return Array.from({ length: r.int(1, 20) }, () => String.fromCharCode(r.int(0, 0xffff))).join('');
  }
};

const num = (r: Rng): number =>
  r.pick([0, -0, 1, -1, 1.5, 0.1, 10_000, 10_001, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, r.int(-1000, 1000)]);

/** Any JSON value, nested up to `depth`. */
const anyJson = (r: Rng, depth = 3): unknown => {
  switch (r.int(depth > 0 ? 0 : 0, depth > 0 ? 6 : 4)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return num(r);
    case 3:
    case 4:
      return str(r);
    case 5:
      return Array.from({ length: r.int(0, 4) }, () => anyJson(r, depth - 1));
    default:
      return Object.fromEntries(Array.from({ length: r.int(0, 4) }, () => [r.chance(0.7) ? str(r).slice(0, 30) : '__proto__', anyJson(r, depth - 1)]));
  }
};

// ------------------------------------------------------------------------- OpenAPI-guided input
type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
};
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } };
type Route = { method: string; template: string; op: Operation };

/** Known values the generator prefers, so that random input reaches past the first checks. */
type Known = Record<string, readonly string[]>;

/** A value for a schema, often right, sometimes of the wrong type, missing or with extra fields. */
const fromSchema = (r: Rng, schema: Schema | undefined, known: Known, name: string, depth = 4): unknown => {
  if (!schema || depth <= 0 || r.chance(0.12)) return anyJson(r, 2);
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts?.length) return fromSchema(r, r.pick(alts), known, name, depth - 1);
  if (schema.allOf?.length) return fromSchema(r, r.pick(schema.allOf), known, name, depth - 1);
  if (schema.const !== undefined) return r.chance(0.8) ? schema.const : str(r);
  if (schema.enum?.length) return r.chance(0.8) ? r.pick(schema.enum) : str(r);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? (schema.properties ? 'object' : 'string')];
  const type = r.pick(types);
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        if (r.chance(schema.required?.includes(key) ? 0.9 : 0.5)) out[key] = fromSchema(r, sub, known, key, depth - 1);
      }
      if (r.chance(0.1)) out[r.chance(0.5) ? 'extra' : str(r).slice(0, 20)] = anyJson(r, 1);
      return out;
    }
    case 'array': {
      const n = r.chance(0.9) ? r.int(0, 3) : r.int(20, 60);
      return Array.from({ length: n }, () => fromSchema(r, schema.items, known, name, depth - 1));
    }
    case 'integer':
    case 'number':
      return r.pick([schema.minimum ?? 1, schema.maximum ?? 100, (schema.minimum ?? 1) - 1, (schema.maximum ?? 100) + 1, r.int(1, 20), num(r)]);
    case 'boolean':
      return r.chance(0.8) ? r.chance(0.5) : r.pick(['true', 1, 0]);
    case 'null':
      return null;
    default: {
      const pool = known[name];
      if (pool && r.chance(0.6)) return r.pick(pool);
      if (schema.format === 'uuid' && r.chance(0.5)) return r.uuid();
      if (r.chance(0.4)) return r.pick(['Name', 'WIDGET', 'x'.repeat(Math.max(1, schema.minLength ?? 1)), 'y'.repeat((schema.maxLength ?? 64) + 1)]);
      return str(r);
    }
  }
};

/** encodeURIComponent that survives lone surrogates: they go out as their (invalid) WTF-8 bytes. */
const enc = (s: string): string =>
  Array.from(s, (ch) => {
    try {
      return encodeURIComponent(ch);
    } catch {
      const c = ch.charCodeAt(0);
      return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
  }).join('');

/** A path segment: a known id, an unknown one, or a malformed one (some deliberately not encoded). */
const pathValue = (r: Rng, name: string, known: Known): string => {
  const pool = known[name];
  switch (r.int(0, 9)) {
    case 0:
    case 1:
    case 2:
      return enc(pool ? r.pick(pool) : r.uuid());
    case 3:
      return r.uuid();
    case 4:
      return r.uuid().toUpperCase();
    case 5:
      return r.pick(['not-a-uuid', '00000000-0000-0000-0000-000000000000', `${r.uuid()}x`, r.uuid().slice(0, 35), `{${r.uuid()}}`, r.uuid().replaceAll('-', ''), '0', '-1', 'null', 'undefined']);
    case 6:
      return r.pick(['%zz', '%', '%E0%A4%A', '%C0%80', '%ED%A0%80', '%FF%FE', '%00', '..%2F..', '%2F', '%2e%2e', '%u0041', '%25']);
    case 7:
      return enc(str(r).slice(0, 3000));
    default:
      return enc(r.pick(['x'.repeat(65), 'x'.repeat(3000), ' ', '\u0000', '🙂', 'WIDGET\n', `${pool ? r.pick(pool) : 'a'}/extra`]));
  }
};

const queryString = (r: Rng, params: readonly Parameter[], known: Known): string => {
  const parts: string[] = [];
  for (const p of params) {
    if (!r.chance(0.5)) continue;
    const v = fromSchema(r, p.schema, known, p.name, 2);
    parts.push(`${enc(p.name)}=${enc(typeof v === 'string' ? v : JSON.stringify(v) ?? '').slice(0, 2000)}`);
    if (r.chance(0.1)) parts.push(`${enc(p.name)}=${enc(str(r).slice(0, 100))}`); // repeated key
  }
  for (let i = r.int(0, 2); i > 0; i--) {
    parts.push(
      r.pick([
        `${enc(str(r).slice(0, 40))}=${enc(str(r).slice(0, 200))}`,
        '%zz=1',
        'limit=-1',
        'limit=99999999999999999999',
        'cursor=%FF%FE',
        'cursor=not-a-cursor',
        'a[b][c]=1',
        '&&',
        '=',
        '__proto__[x]=1',
        'limit',
      ]),
    );
  }
  return parts.length ? `?${parts.join('&')}` : r.chance(0.05) ? '?' : '';
};

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=zz',
  'application/xml',
  'text/csv',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/merge-patch+json',
  'a/b/c',
  ';;;',
  'application/octet-stream',
];

type FuzzRequest = { method: string; path: string; headers: Record<string, string>; body?: string | Buffer; kind: string };

const buildRequest = (r: Rng, route: Route, known: Known): FuzzRequest => {
  const params = route.op.parameters ?? [];
  let path = route.template.replace(/\{(\w+)\}/g, (_, name: string) => pathValue(r, name, known)) + queryString(r, params.filter((p) => p.in === 'query'), known);
  // Node's HTTP parser answers 431 itself above 16 KB of request head: stay under it.
  if (path.length > 12_000) path = path.slice(0, 12_000);
  const method = r.chance(0.04) ? r.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) : route.method;
  const headers: Record<string, string> = {};
  if (method === 'GET') return { method, path, headers, kind: 'query' };
  const schema = Object.values(route.op.requestBody?.content ?? {})[0]?.schema;
  const valueish = () => JSON.stringify(fromSchema(r, schema, known, 'body')) ?? 'null';
  const roll = r.int(0, 99);
  if (roll < 12) return { method, path, headers, kind: 'no body' };
  headers['content-type'] = 'application/json';
  if (roll < 55) return { method, path, headers, body: valueish(), kind: 'schema-guided json' };
  if (roll < 67) return { method, path, headers, body: JSON.stringify(anyJson(r)) ?? 'null', kind: 'random json' };
  if (roll < 77) {
    const text = valueish();
    return { method, path, headers, body: text.slice(0, r.int(0, Math.max(0, text.length - 1))), kind: 'truncated json' };
  }
  if (roll < 85) {
    headers['content-type'] = r.pick(CONTENT_TYPES);
    return { method, path, headers, body: r.chance(0.5) ? valueish() : str(r), kind: `content-type ${headers['content-type']}` };
  }
  if (roll < 90) return { method, path, headers, body: r.bytes(r.int(1, 300)), kind: 'random bytes as json' };
  if (roll < 93) return { method, path, headers, body: r.pick(['{"a":1,"a":2}', '[]', '""', '0', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '\ufeff{}', '{}garbage', '{"name":"\\ud800"}', ' ', '{"name":"\\u0000"}']), kind: 'edge json' };
  if (roll < 95) return { method, path, headers, body: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }), kind: 'oversized json' };
  if (roll < 97) return { method, path, headers, body: `{${'"a":{'.repeat(5000)}1${'}'.repeat(5001)}`, kind: 'deeply nested json' };
  delete headers['content-type'];
  return { method, path, headers, body: valueish(), kind: 'json without content-type' };
};

// --------------------------------------------------------------------------------- CSV files
const LINE_ENDS = ['\n', '\r\n', '\r'];
const quote = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f);
const QUANTITIES_BAD = ['-1', '0', '10001', '1e3', '1.0', '1.5', ' 5 ', '+3', '99999999999999999999999', '0x1F', '\u0663', 'NaN', 'Infinity', '', 'two'];

/** A CSV file for one importer: sometimes clean (and meant to be accepted), often damaged. */
const csvFile = (r: Rng, columns: readonly string[], cell: (column: string, row: number, clean: boolean) => string): { bytes: Buffer; kind: string } => {
  const clean = r.chance(0.35);
  const kinds: string[] = [clean ? 'clean' : 'mixed'];
  const header = [...columns].sort(() => r.next() - 0.5);
  if (!clean) {
    if (r.chance(0.2)) {
      header.splice(r.int(0, header.length - 1), 1);
      kinds.push('column dropped');
    }
    if (r.chance(0.15)) {
      header.push(r.pick(['extra', header[0] ?? 'x', 'Quantity', ' sku']));
      kinds.push('column added');
    }
  }
  const rowsN = r.chance(0.06) ? r.int(2000, 6000) : r.int(0, 12);
  if (rowsN > 100) kinds.push(`${rowsN} rows`);
  const lines: string[] = [header.map(quote).join(',')];
  for (let i = 0; i < rowsN; i++) {
    let fields = header.map((c) => quote(cell(c, i, clean || r.chance(0.9))));
    if (!clean && r.chance(0.05)) fields = fields.slice(0, r.int(0, fields.length)).concat(r.chance(0.5) ? ['surplus'] : []);
    if (!clean && r.chance(0.03)) {
      fields.push(`"unbalanced${r.chance(0.5) ? ',' : ''}`);
      kinds.push('unbalanced quote');
    }
    if (!clean && r.chance(0.02)) {
      fields.push(r.pick(['x'.repeat(100_000), '🙂'.repeat(30_000)]));
      kinds.push('huge field');
    }
    lines.push(fields.join(','));
  }
  const mixedEnds = !clean && r.chance(0.3);
  const end = r.pick(LINE_ENDS);
  let text = lines.map((l) => l + (mixedEnds ? r.pick(LINE_ENDS) : end)).join('');
  if (r.chance(0.2)) text = text.slice(0, -1); // no final line end
  let bytes = Buffer.from(text, 'utf8');
  if (r.chance(0.2)) {
      bytes = Buffer.concat([Buffer.from(r.pick(['\ufeff', '\ufeff\ufeff']), 'utf8'), bytes]);
      kinds.push('bom');
    }
  if (!clean) {
    const damage = r.int(0, 9);
    if (damage === 0) {
      bytes = r.bytes(r.int(0, 2000));
      kinds.push('random bytes');
    }
    if (damage === 1) {
      const at = r.int(0, bytes.length);
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(r.pick([[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x00]])), bytes.subarray(at)]);
      kinds.push('invalid utf-8');
    }
    if (damage === 2) {
      bytes = bytes.subarray(0, r.int(0, bytes.length));
      kinds.push('truncated');
    }
    if (damage === 3) {
      bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
      kinds.push('utf-16');
    }
  }
  return { bytes, kind: kinds.join(', ') };
};

// ------------------------------------------------------------------------------- known bugs
/**
 * Real bugs this fuzzer found in src/ (not fixed here). An answer that matches one is counted and
 * reported, not failed, and each shows as a skipped subtest naming the bug; anything else fails.
 */
type KnownBug = Readonly<{ name: string; reason: string; matches: (req: FuzzRequest, reply: Reply) => boolean }>;
// Answers to leave out of the assertions while a bug is being fixed (each shown as a skipped
// subtest with its reason). The five found by the first run are fixed: the list is empty.
const KNOWN_BUGS: readonly KnownBug[] = [];

// ------------------------------------------------------------------------------------ the run
type Counts = { events: number; streams: number; secrets: number; destroyed: number };
const countsOf = async (svc: TestService): Promise<Counts> =>
  (
    await svc.db.query<Counts>(
      `SELECT (SELECT count(*)::int FROM es_events) AS events, (SELECT count(*)::int FROM es_streams) AS streams,
              (SELECT count(*)::int FROM vault_secrets) AS secrets, (SELECT count(*)::int FROM vault_destroyed) AS destroyed`,
    )
  ).rows[0]!;
const sameCounts = (a: Counts, b: Counts) => a.events === b.events && a.streams === b.streams && a.secrets === b.secrets && a.destroyed === b.destroyed;

type Reply = { status: number; contentType: string; text: string };
const problemIssue = (reply: Reply): string | null => {
  if (reply.status < 400) return null;
  if (!reply.contentType.startsWith('application/problem+json')) return `content-type ${reply.contentType || '(none)'}`;
  try {
    const body = JSON.parse(reply.text) as { title?: unknown; status?: unknown };
    if (typeof body.title !== 'string' || !body.title) return 'no title';
    if (body.status !== reply.status) return `status ${String(body.status)} in the body`;
    return null;
  } catch {
    return 'not JSON';
  }
};
const short = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}…(${s.length})` : s);
/** Each finding as a comment (printable: JSON-escaped), then one assertion that there are none. */
const noFindings = (t: Test, findings: readonly string[], message: string) => {
  const printable = (f: string) => f.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  for (const f of findings.slice(0, 40)) t.comment(printable(f));
  t.equal(findings.length, 0, message);
};

t.test(`fuzz the HTTP API and the CSV importers (seed ${SEED}; FUZZ_SEED to replay)`, async (t) => {
  t.comment(`FUZZ_SEED=${SEED}`);
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false } });
  // The attack classes send many requests without a key from one address: no failure limit here (tested in app.test.ts).
  const svc = await startTestService(t, { ...sandboxEnv(sandboxes), RATE_LIMIT_PER_MINUTE: '1000000', AUTH_FAILURES_PER_MINUTE: '1000000' });
  const a = await createTenant(svc, 'Fuzz Sellers');
  const me = await json(await svc.call('GET', '/v1/me', { token: a.apiKey }));
  const store = await seedStore(svc, a.tenantId);
  for (const sku of ['WIDGET', 'GADGET', 'BOLT']) t.equal((await svc.call('POST', '/v1/products', { token: a.apiKey, body: { sku, name: `${sku} name` } })).status, 201);
  t.equal((await svc.call('PUT', `/v1/stores/${store}/mappings/P-1`, { token: a.apiKey, body: { components: [{ sku: 'WIDGET', quantity: 2 }] } })).status, 200);
  const walmart = await authorizeWalmart(svc, a.apiKey, sandboxes);
  const known: Known = {
    storeId: [store, walmart.storeIds[0]!],
    fromStoreId: [store, walmart.storeIds[0]!],
    sku: ['WIDGET', 'GADGET', 'BOLT', 'NOPE'],
    platformSku: ['P-1', 'P-2', 'AMZ/KIT 1'],
    authorizationId: [walmart.authorizationId as string],
    orderId: [randomUUID()],
    tenantId: [a.tenantId],
    keyId: [me.keyId as string],
    name: ['Name', 'Fuzz'],
  };
  const settle = async () => {
    await svc.projections.caughtUp(['stores', 'products', 'mappings', 'authorizations', 'orders', 'pull_schedule']);
    await svc.policyRunner.caughtUp();
  };
  const send = async (req: FuzzRequest): Promise<Reply> => {
    const res = await fetch(`${svc.url}${req.path}`, {
      method: req.method,
      // As a script: the consent link and callbacks answer browsers with pages (#16.5), scripts with problem+json.
      headers: { accept: 'application/json', authorization: `Bearer ${a.apiKey}`, ...req.headers },
      ...(req.body !== undefined ? { body: req.body } : {}),
    });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
  };

  await t.test('attack classes: encoded paths, date offsets, query-string credentials, confusable SKUs, issue floods', async (t) => {
    const doc = (await json(await svc.call('GET', '/openapi.json'))) as { paths: Record<string, Record<string, Operation & { security?: unknown[] }>> };
    const fill = (template: string) =>
      template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(known[name]?.[0] ?? randomUUID()));
    const before = await countsOf(svc);

    // Every authenticated route, spelled with an encoded `v` and sent without a key: refused before
    // its handler (and before any body is read), never served.
    const encoded: string[] = [];
    let sent = 0;
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!template.startsWith('/v1/') || (Array.isArray(op.security) && op.security.length === 0)) continue;
        for (const spelling of ['/%761/', '/%76%31/']) {
          const path = fill(template).replace('/v1/', spelling);
          const res = await fetch(`${svc.url}${path}`, { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, ...(method === 'get' ? {} : { body: '{"name":"x"}' }) });
          sent++;
          if (res.status !== 401) encoded.push(`${method.toUpperCase()} ${path} → ${res.status}`);
          await res.arrayBuffer();
        }
      }
    }
    t.ok(sent >= 80, `${sent} encoded-path requests`);
    noFindings(t, encoded, 'every encoded spelling of an authenticated route answers 401');
    t.ok(sameCounts(before, await countsOf(svc)), 'and none of them wrote anything');

    // Date filters: what PostgreSQL 15 refuses is a 400, never a 500; its limits themselves are fine.
    for (const to of ['2026-07-15T14:42:37+18:00', '2026-07-15T14:42:37-16:32', '0000-01-01T00:00:00Z', '2026-07-15T14:42:37+16:00', '2026-02-30T00:00:00Z', '99999-01-01T00:00:00Z']) {
      const res = await send({ method: 'GET', path: `/v1/orders?to=${encodeURIComponent(to)}`, headers: {}, kind: 'date' });
      t.equal(res.status, 400, `to=${to} → 400`);
    }
    for (const to of ['2026-07-15T14:42:37+15:59', '2026-07-15T14:42:37-15:59', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999999-15:59']) {
      const res = await send({ method: 'GET', path: `/v1/orders?from=${encodeURIComponent(to)}&to=${encodeURIComponent(to)}`, headers: {}, kind: 'date' });
      t.equal(res.status, 200, `from=to=${to} → 200`);
    }

    // A key in the query string is no credential, and never reaches the log.
    for (const query of [`authorization=Bearer%20${a.apiKey}`, `api_key=${a.apiKey}`, `x=${encodeURIComponent(a.apiKey)}`]) {
      const res = await fetch(`${svc.url}/v1/stores?${query}`);
      t.equal(res.status, 401, `?${query.split('=')[0]}=<key> does not authenticate`);
      await res.arrayBuffer();
      const unknown = await fetch(`${svc.url}/v1/nowhere?${query}`);
      t.equal(unknown.status, 404);
      await unknown.arrayBuffer();
    }
    const secret = a.apiKey.split('.').at(-1)!;
    t.notOk(svc.logs().includes(secret), 'the key never reaches the log');

    // Look-alike SKUs (NFC/NFD, full-width, ligatures, invisible characters): answers below 500 as
    // problem+json, and a refusal writes nothing.
    const odd: string[] = [];
    for (const sku of ['CAF\u00c9', 'CAFE\u0301', 'ＷＩＤＧＥＴ', 'WIDGET\u200b', 'ﬁLTER', 'FILTER', 'W\u0399DGET', 'widget']) {
      const w0 = await countsOf(svc);
      const res = await send({ method: 'POST', path: '/v1/products', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku, name: 'Look-alike' }), kind: 'confusable' });
      const problem = problemIssue(res);
      if (res.status >= 500 || problem) odd.push(`${JSON.stringify(sku)} → ${res.status} ${problem ?? ''}`);
      if (res.status >= 400 && !sameCounts(w0, await countsOf(svc))) odd.push(`${JSON.stringify(sku)} → ${res.status} wrote`);
    }
    await settle();
    noFindings(t, odd, 'look-alike SKUs: no 5xx, problem+json refusals that write nothing');

    // A file of garbage: the refusal lists the first issues and counts them all.
    const w0 = await countsOf(svc);
    const garbage = `sku,name,barcode\n${Array.from({ length: 3000 }, (_, i) => `,${'n'.repeat(i % 3)},x`).join('\n')}\n`;
    const flood = await send({ method: 'POST', path: '/v1/products/import', headers: { 'content-type': 'text/csv' }, body: garbage, kind: 'csv' });
    t.equal(flood.status, 422);
    const problem = JSON.parse(flood.text) as { issues: unknown[]; totalIssues: number; type: string };
    t.equal(problem.issues.length, 100, 'the first 100 issues are listed');
    t.ok(problem.totalIssues >= 3000, `with their total (${problem.totalIssues})`);
    t.equal(problem.type, '/problems/import_invalid');
    t.ok(flood.text.length < garbage.length * 2, `the answer (${flood.text.length} bytes) is not an amplification of the file (${garbage.length} bytes)`);
    t.ok(sameCounts(w0, await countsOf(svc)), 'the refused file wrote nothing');
  });

  await t.test(`HTTP API: ${API_REQUESTS} random and malformed requests over the OpenAPI routes`, async (t) => {
    const r = rngOf(SEED);
    const doc = (await json(await svc.call('GET', '/openapi.json'))) as { paths: Record<string, Record<string, Operation>> };
    const routes: Route[] = [];
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (['get', 'put', 'post', 'patch', 'delete'].includes(method)) routes.push({ method: method.toUpperCase(), template, op });
      }
    }
    t.ok(routes.length >= 40, `${routes.length} routes in the OpenAPI document`);
    // The Amazon callback is fuzzed by its query string only: a random `state` never matches a
    // started authorization, so no call leaves for Amazon.
    const serverErrors: string[] = [];
    const notProblems: string[] = [];
    const refusedWrites: string[] = [];
    const statuses = new Map<number, number>();
    const knownHits = new Map<string, string[]>();
    const kinds = new Map<string, number>();
    let before = await countsOf(svc);
    for (let i = 0; i < API_REQUESTS; i++) {
      const route = r.pick(routes);
      const req = buildRequest(r, route, known);
      const reply = await send(req);
      const what = `#${i} ${req.method} ${short(req.path, 200)} [${req.kind}] body=${short(typeof req.body === 'string' ? JSON.stringify(req.body) : req.body ? `<${req.body.length} bytes>` : '-')} → ${reply.status} ${short(reply.text, 300)}`;
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      const kind = req.kind.startsWith('content-type') ? 'wrong content-type' : req.kind;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      const bug = KNOWN_BUGS.find((b) => b.matches(req, reply));
      if (bug) {
        knownHits.set(bug.name, [...(knownHits.get(bug.name) ?? []), what]);
      } else {
        if (reply.status >= 500) serverErrors.push(what);
        const problem = problemIssue(reply);
        if (problem) notProblems.push(`${problem}: ${what}`);
      }
      if (reply.status >= 200 && reply.status < 300) {
        // Accepted: may write (and start work that writes); let it finish, then count afresh.
        if (req.method !== 'GET') await settle();
        before = await countsOf(svc);
      } else {
        const after = await countsOf(svc);
        if (!sameCounts(before, after)) refusedWrites.push(`${JSON.stringify(before)} → ${JSON.stringify(after)}: ${what}`);
        before = after;
      }
    }
    t.comment(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((x, y) => x[0] - y[0])))}`);
    t.comment(`input kinds: ${JSON.stringify(Object.fromEntries(kinds))}`);
    for (const bug of KNOWN_BUGS) {
      const hits = knownHits.get(bug.name) ?? [];
      t.comment(`${bug.name}: ${hits.length} answers excluded${hits[0] ? `, first: ${short(hits[0], 400).replace(/[^\x20-\x7e]/g, '?')}` : ''}`);
      // Skipped, not failed: a real bug in src/, left for its owner (see KNOWN_BUGS above).
      t.test(bug.name, { skip: `known bug, excluded from the assertions: ${bug.reason}` }, async () => undefined);
    }
    noFindings(t, serverErrors, 'no 5xx (beyond the known bugs)');
    noFindings(t, notProblems, 'every refusal is problem+json with a title and its status');
    noFindings(t, refusedWrites, 'a refused request writes nothing');
  });

  await t.test(`CSV importers: ${CSV_FILES} random and malformed files`, async (t) => {
    const r = rngOf(SEED ^ 0x5eed);
    const bad: string[] = [];
    const refusedWrites: string[] = [];
    const inconsistent: string[] = [];
    const outcome = { accepted: 0, refused: 0 };
    const post = (path: string, bytes: Buffer, contentType = 'text/csv') => send({ method: 'POST', path, headers: { 'content-type': contentType }, body: bytes, kind: 'csv' });
    const skus = ['WIDGET', 'GADGET', 'BOLT'];
    for (let i = 0; i < CSV_FILES; i++) {
      const mappings = r.chance(0.5);
      const path = mappings ? `/v1/stores/${store}/mappings/import` : '/v1/products/import';
      let file: { bytes: Buffer; kind: string };
      if (mappings) {
        file = csvFile(r, ['platform_sku', 'system_sku', 'quantity'], (column, row, clean) => {
          if (column === 'platform_sku') return clean ? `P-${row % 40}` : str(r).slice(0, 200);
          // One component per platform SKU in a clean file: a combination needs distinct system SKUs.
          if (column === 'system_sku') return clean ? r.pick(skus) : r.pick([...skus, 'NOPE', 'widget', str(r).slice(0, 100)]);
          if (column === 'quantity') return clean ? String(r.int(1, 10_000)) : r.pick(QUANTITIES_BAD);
          return str(r).slice(0, 50);
        });
        if (file.kind.startsWith('clean')) {
          // Make a clean file valid: each platform SKU once (rows after the 40th would repeat).
          const text = file.bytes.toString('utf8');
          const seen = new Set<string>();
          const lines = text.split(/\r\n|\n|\r/);
          const head = lines[0] ?? '';
          const cols = head.replace(/^\ufeff+/, '').split(',');
          const ix = cols.indexOf('platform_sku');
          const kept = [head, ...lines.slice(1).filter((l) => {
            if (!l) return false;
            const key = l.split(',')[ix] ?? '';
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          })];
          file = { bytes: Buffer.from(`${kept.join('\r\n')}\r\n`, 'utf8'), kind: file.kind };
        }
      } else {
        const used = new Set<string>();
        file = csvFile(r, ['sku', 'name', 'barcode'], (column, _row, clean) => {
          if (column === 'sku') {
            if (!clean) return r.pick(['', 'x'.repeat(65), 'WIDGET', str(r).slice(0, 80)]);
            let sku = `F-${r.int(0, 100_000)}`;
            while (used.has(sku)) sku = `F-${r.int(0, 100_000)}`;
            used.add(sku);
            return sku;
          }
          if (column === 'name') return clean ? r.pick(['A name', 'Ünïcødé 🙂', 'with, comma', 'with "quotes"']) : str(r).slice(0, 300);
          if (column === 'barcode') return clean ? r.pick(['', '0123456789012']) : r.pick(['', str(r).slice(0, 60), '1e309', '-1']);
          return str(r).slice(0, 50);
        });
      }
      const contentType = r.chance(0.05) ? r.pick(['application/json', 'text/plain', 'text/csv; charset=latin1']) : 'text/csv';
      const what = `#${i} ${path} [${file.kind}; ${contentType}] ${file.bytes.length} bytes: ${short(JSON.stringify(file.bytes.toString('utf8')), 300)}`;
      const w0 = await countsOf(svc);
      const reply = await post(path, file.bytes, contentType);
      if (reply.status !== 200 && !(reply.status >= 400 && reply.status < 500)) bad.push(`${reply.status} ${short(reply.text, 300)}: ${what}`);
      const problem = problemIssue(reply);
      if (problem) bad.push(`${problem}: ${what}`);
      if (reply.status !== 200) {
        outcome.refused += 1;
        const w1 = await countsOf(svc);
        if (!sameCounts(w0, w1)) refusedWrites.push(`${reply.status}: ${what}`);
        continue;
      }
      outcome.accepted += 1;
      const result = JSON.parse(reply.text) as { rows: number; mappings?: number; created: number; updated: number; unchanged: number };
      if (mappings) {
        await settle();
        const exported = await send({ method: 'GET', path: `/v1/stores/${store}/mappings/export`, headers: {}, kind: 'export' });
        const w1 = await countsOf(svc);
        const again = await post(path, Buffer.from(exported.text, 'utf8'));
        const body = JSON.parse(again.text) as { mappings: number; created: number; updated: number; unchanged: number };
        if (again.status !== 200 || body.created !== 0 || body.updated !== 0 || body.unchanged !== body.mappings || !sameCounts(w1, await countsOf(svc))) {
          inconsistent.push(`export re-imported → ${again.status} ${short(again.text)}: ${what}`);
        }
      } else {
        const w1 = await countsOf(svc);
        const again = await post(path, file.bytes, contentType);
        const body = JSON.parse(again.text) as { rows: number; created: number; updated: number; unchanged: number };
        if (again.status !== 200 || body.created !== 0 || body.updated !== 0 || body.unchanged !== result.rows || !sameCounts(w1, await countsOf(svc))) {
          inconsistent.push(`same file re-imported → ${again.status} ${short(again.text)}: ${what}`);
        }
      }
    }
    t.comment(`CSV files: ${JSON.stringify(outcome)}`);
    t.ok(outcome.accepted > 0 && outcome.refused > 0, 'both accepted and refused files were generated');
    noFindings(t, bad, 'only 200 or 4xx, refusals as problem+json');
    noFindings(t, refusedWrites, 'a refused file writes nothing');
    noFindings(t, inconsistent, 'an accepted file reads back consistently: re-importing says unchanged');
  });
});
