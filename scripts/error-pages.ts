// Problem codes used in src/ and their pages in docs/errors/: `npm run docs:errors` writes a page for
// every code that has none (an existing page is kept: it may have been improved by hand) and
// rewrites the index. test/http/errorPages.test.ts fails when a code has no page.
import { readdirSync, readFileSync, statSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { join, relative } from 'node:path';

export type ProblemCode = { code: string; statuses: Set<number>; messages: Set<string>; files: Set<string> };

const tsFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });

/** Every problem `code` src/ can answer with, found in the places codes are defined. */
export const scanProblemCodes = (root: string): Map<string, ProblemCode> => {
  const codes = new Map<string, ProblemCode>();
  const add = (code: string, file: string, status?: number, message?: string) => {
    const entry = codes.get(code) ?? { code, statuses: new Set(), messages: new Set(), files: new Set() };
    if (status) entry.statuses.add(status);
    if (message) entry.messages.add(message.replace(/\$\{[^}]*\}/g, '…'));
    entry.files.add(file);
    codes.set(code, entry);
  };
  for (const path of tsFiles(join(root, 'src'))) {
    if (path.includes(`${join('src', 'sandbox')}`)) continue; // the marketplaces' sandboxes answer as Amazon and Walmart do
    const file = relative(root, path);
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(/new HttpError\(\s*(\d{3}),\s*'([a-z][a-z0-9_]*)',\s*(?:(['`])(.*?)\3)?/gs)) add(m[2]!, file, Number(m[1]), m[4]);
    for (const m of text.matchAll(/new DomainError(?:<\w+>)?\(\s*'([a-z][a-z0-9_]*)',\s*(?:(['`])(.*?)\2)?/gs)) add(m[1]!, file, undefined, m[3]);
    // The status tables (src/http/errorStatuses.ts, and the ones route groups register).
    for (const block of text.matchAll(/export const \w+ErrorStatuses = \{([^}]*)\}/g)) {
      for (const m of block[1]!.matchAll(/^\s*([a-z][a-z0-9_]*): (\d{3})/gm)) add(m[1]!, file, Number(m[2]));
    }
    if (file.endsWith(join('http', 'problem.ts'))) {
      for (const m of text.matchAll(/\['([a-z][a-z0-9_]*)', (\d{3})\]/g)) add(m[1]!, file, Number(m[2]));
      for (const m of text.matchAll(/send\(reply, (\d{3}), \{ code: '([a-z][a-z0-9_]*)', detail: (['`])(.*?)\3/g)) add(m[2]!, file, Number(m[1]), m[4]);
      for (const m of text.matchAll(/code: error\.code === '\w+' \? '([a-z_]+)' : '([a-z_]+)'/g)) [m[1]!, m[2]!].forEach((c) => add(c, file, 400));
      for (const m of text.matchAll(/code: '([a-z][a-z0-9_]*)', detail: `No route/g)) add(m[1]!, file, 404);
    }
  }
  add('not_found', 'src/domain/shared/errors.ts', 404, '… not found');
  return codes;
};

const statusLine = (c: ProblemCode) =>
  [...c.statuses].sort().map((s) => `${s} ${STATUS_CODES[s] ?? ''}`.trim()).join(', ') || '422 Unprocessable Entity';

export const pageOf = (c: ProblemCode) =>
  [
    `# \`${c.code}\``,
    '',
    `- **Status:** ${statusLine(c)}`,
    `- **type:** \`/problems/${c.code}\``,
    '',
    '## What it means',
    '',
    ...(c.messages.size ? [...c.messages].map((m) => `- ${m}`) : ['- See the `detail` of the answer: it says what was refused and why.']),
    '',
    '## Where it is raised',
    '',
    ...[...c.files].sort().map((f) => `- \`${f}\``),
    '',
  ].join('\n');

export const indexOf = (codes: Iterable<ProblemCode>) =>
  [
    '# Problem codes',
    '',
    'Every refusal OMS answers is `application/problem+json` (RFC 9457) with a stable `code`. Its `type` is',
    '`/problems/<code>`: a relative reference that OMS serves (`GET /problems/<code>` answers the page as',
    'Markdown), and `title` is the HTTP status phrase. One page per code, listed here; `npm run docs:errors`',
    'adds pages for new codes (it keeps existing pages), and `test/http/errorPages.test.ts` fails on a code',
    'without one. Codes passed through from Fastify (e.g. `fst_err_ctp_body_too_large`) keep `about:blank`.',
    '',
    '| code | status |',
    '|---|---|',
    ...[...codes].sort((a, b) => a.code.localeCompare(b.code)).map((c) => `| [\`${c.code}\`](${c.code}.md) | ${statusLine(c)} |`),
    '',
  ].join('\n');

if (process.argv[1]?.endsWith('error-pages.ts')) {
  const root = join(import.meta.dirname, '..');
  const dir = join(root, 'docs', 'errors');
  mkdirSync(dir, { recursive: true });
  const codes = scanProblemCodes(root);
  let written = 0;
  for (const c of codes.values()) {
    const page = join(dir, `${c.code}.md`);
    if (existsSync(page) && !process.argv.includes('--rewrite')) continue;
    writeFileSync(page, pageOf(c));
    written++;
  }
  writeFileSync(join(dir, 'README.md'), indexOf(codes.values()));
  console.log(`${codes.size} codes, ${written} pages written, index rewritten`);
}
