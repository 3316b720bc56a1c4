// The domain names its refusal codes; their HTTP statuses live in src/http/errorStatuses.ts. Every
// code the domain can raise must have one there (derived from src/domain, not listed by hand).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { domainErrorStatuses } from '../../src/http/errorStatuses.js';
import { statusOfCode } from '../../src/http/problem.js';

const domain = join(import.meta.dirname, '..', '..', 'src', 'domain');
const tsFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
const sources = tsFiles(domain).map((path) => ({ file: relative(domain, path), path, text: readFileSync(path, 'utf8') }));

/** Codes written at a `new DomainError(…)` in the domain, with the file that raises them. */
const raised = sources.flatMap(({ file, text }) =>
  [...text.matchAll(/new DomainError(?:<\w+>)?\(\s*'([a-z][a-z0-9_]*)'/g)].map((m) => ({ code: m[1]!, file })),
);

/** The code lists the domain exports (`export const xErrorCodes = [...] as const`), read from the modules themselves. */
const listed = async () => {
  const out: { code: string; file: string }[] = [];
  for (const { file, path, text } of sources) {
    for (const m of text.matchAll(/export const (\w+ErrorCodes) =/g)) {
      const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
      const codes = module[m[1]!];
      if (!Array.isArray(codes)) throw new Error(`${file}: ${m[1]} is not a list`);
      out.push(...codes.map((code) => ({ code: String(code), file })));
    }
  }
  return out;
};

t.test('every code the domain raises or lists has an HTTP status in the table', async (t) => {
  const codes = [...raised, ...(await listed())];
  t.ok(raised.length > 20, `found the codes raised in src/domain (${raised.length})`);
  t.ok(codes.some((c) => c.code === 'tenant_exists') && codes.some((c) => c.code === 'sku_confusable'), 'found the listed codes');
  const missing = codes.filter((c) => !(c.code in domainErrorStatuses)).map((c) => `${c.code} (${c.file})`);
  t.same(missing, [], 'no domain code without a status');
});

t.test('the problem handler answers with the table', async (t) => {
  for (const [code, status] of Object.entries(domainErrorStatuses)) t.equal(statusOfCode(code), status, code);
  // Statuses the catalog and mapping kinds used to say (conflict 409, not found 404, invalid 422).
  t.equal(statusOfCode('sku_exists'), 409);
  t.equal(statusOfCode('not_found'), 404);
  t.equal(statusOfCode('mapping_not_found'), 404);
  t.equal(statusOfCode('unknown_sku'), 422);
  t.equal(statusOfCode('sku_retired'), 409);
  t.equal(statusOfCode('marketplace_unavailable'), 502);
  t.equal(statusOfCode('no_such_code'), 422, 'an unknown code answers 422');
});

t.test('the domain holds no HTTP statuses', async (t) => {
  const statusMaps = sources.filter(({ text }) => /ErrorStatuses\b|^\s*[a-z_]+: [1-5]\d\d,/m.test(text)).map((s) => s.file);
  t.same(statusMaps, [], 'no status map in src/domain');
});
