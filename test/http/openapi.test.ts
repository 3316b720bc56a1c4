// The published contract: /openapi.json of the whole service, linted by Redocly's OpenAPI linter
// (its recommended rules; any error fails), and the conventions OMS promises on top of it.
import { createConfig, lintFromString } from '@redocly/openapi-core';
import t from 'tap';
import { json, startTestService } from '../support/service.js';

type Operation = { operationId?: string; summary?: string; tags?: string[]; security?: unknown[]; responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> };

t.test('/openapi.json passes the OpenAPI linter and documents every operation', async (t) => {
  const svc = await startTestService(t);
  const doc = await json(await svc.call('GET', '/openapi.json'));

  const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config: await createConfig({ extends: ['recommended'] }) });
  const errors = problems.filter((p) => p.severity === 'error');
  for (const p of problems.slice(0, 40)) t.comment(`${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
  t.equal(errors.length, 0, `no linter errors (${problems.length - errors.length} warnings)`);

  t.ok(Array.isArray(doc.servers) && doc.servers.length > 0, 'servers are declared');
  t.ok(doc.components?.schemas?.Problem, 'one shared problem schema');
  const operationIds = new Set<string>();
  const missing: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, op] of Object.entries(ops)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!op.operationId) missing.push(`${where}: operationId`);
      else if (operationIds.has(op.operationId)) missing.push(`${where}: duplicate operationId ${op.operationId}`);
      else operationIds.add(op.operationId);
      if (!op.summary) missing.push(`${where}: summary`);
      if (!op.tags?.length) missing.push(`${where}: tags`);
      const errorResponses = Object.entries(op.responses ?? {}).filter(([status]) => /^[45]/.test(status));
      if (!errorResponses.some(([status]) => status === '500')) missing.push(`${where}: 500`);
      // Public routes (`security: []`: the consent flow, the console's sign-in) answer no 401.
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      if (path.startsWith('/v1/') && !isPublic && !errorResponses.some(([status]) => status === '401')) missing.push(`${where}: 401`);
      for (const [status, response] of errorResponses) {
        if (response.content?.['application/problem+json']?.schema?.$ref !== '#/components/schemas/Problem') missing.push(`${where}: ${status} without the problem schema`);
      }
    }
  }
  for (const m of missing.slice(0, 40)) t.comment(m);
  t.same(missing, [], 'every operation has an operationId, a summary, tags and problem+json error responses');
  t.ok(operationIds.size >= 40, `${operationIds.size} operations`);

  // What the server refuses, the document says (#14.15): empty components, an empty SKU, cursors, dates.
  const body = (path: string, method: string) => doc.paths[path][method].requestBody.content['application/json'].schema;
  const query = (path: string, name: string) => doc.paths[path].get.parameters.find((p: { name: string; in: string }) => p.in === 'query' && p.name === name).schema;
  t.match(body('/v1/stores/{storeId}/mappings/{platformSku}', 'put').properties.components, { minItems: 1, maxItems: 20 });
  t.match(body('/v1/stores/{storeId}/mappings/{platformSku}', 'put').properties.components.items.properties.quantity, { minimum: 1, maximum: 10_000 });
  t.match(body('/v1/products', 'post').properties.sku, { minLength: 1, maxLength: 64 });
  t.match(query('/v1/warehouse/feed', 'after'), { pattern: String });
  t.match(query('/v1/orders', 'after'), { pattern: String });
  const to = new RegExp(query('/v1/orders', 'to').pattern as string);
  t.ok(to.test('2026-07-15T14:42:37+15:59') && to.test('0001-01-01T00:00:00Z'), 'the date pattern admits what PostgreSQL accepts');
  t.notOk(to.test('2026-07-15T14:42:37+18:00') || to.test('2026-07-15T14:42:37-16:32') || to.test('0000-01-01T00:00:00Z'), 'and documents what it refuses');
});
