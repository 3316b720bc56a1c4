// Every problem code src/ can answer with has its page in docs/errors/ and a line in the index; OMS
// serves the page its `type` names.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { createMetrics } from '../../src/adapters/metrics/metrics.js';
import { buildHttpApp } from '../../src/http/app.js';
import { indexOf, pageOf, scanProblemCodes } from '../../scripts/error-pages.js';

const root = join(import.meta.dirname, '..', '..');
const dir = join(root, 'docs', 'errors');

t.test('every problem code used in src has a page and is in the index', async (t) => {
  const codes = scanProblemCodes(root);
  for (const code of ['unauthorized', 'rate_limited', 'invalid_cursor', 'sku_exists', 'import_invalid', 'route_not_found', 'not_found', 'malformed_json']) {
    t.ok(codes.has(code), `the scan finds ${code}`);
  }
  const missing = [...codes.keys()].filter((code) => !existsSync(join(dir, `${code}.md`)));
  t.same(missing, [], 'a page per code (run `npm run docs:errors` to add the missing ones)');
  const index = readFileSync(join(dir, 'README.md'), 'utf8');
  t.equal(index, indexOf(codes.values()), 'the index lists exactly the codes in use (run `npm run docs:errors`)');
  t.match(pageOf(codes.get('rate_limited')!), '429 Too Many Requests', 'a page states the status');
});

t.test('GET /problems/<code> serves the page; anything else is a 404', async (t) => {
  const app = await buildHttpApp({ logger: pino({ level: 'silent' }), metrics: createMetrics(), checks: [] });
  t.teardown(() => app.close());
  const page = await app.inject({ method: 'GET', url: '/problems/invalid_cursor' });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], 'text/markdown');
  t.equal(page.body, readFileSync(join(dir, 'invalid_cursor.md'), 'utf8'));
  for (const url of ['/problems/no_such_code', '/problems/..%2F..%2Fpackage.json', '/problems/README', '/problems/%2e%2e']) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 404, `${url} is not a page`);
    t.equal(res.json().code, 'route_not_found');
  }
});
