// Proves the layering rules of eslint.config.js (docs/architecture.md): a file in src/application or
// src/http that imports an adapter — as a value, a type, a re-export or an import() type — fails lint
// with the project's own configuration; importing a port passes; the domain's purity rule still holds.
import t from 'tap';
import { ESLint } from 'eslint';
import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const LAYERING_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);

// The project's config as it is; only the (syntactic) layering rules are reported, and the
// type-aware parser settings are dropped so that a probe file needs no TypeScript program.
const eslint = new ESLint({
  cwd: root,
  ruleFilter: ({ ruleId }) => LAYERING_RULES.has(ruleId),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
});

/** Lint `code` as a real file at `dir/<probe>.ts` (removed afterwards); the messages of the layering rules. */
const lintProbe = async (dir: string, code: string) => {
  const file = join(root, dir, `layeringProbe${process.pid}.ts`);
  await writeFile(file, code);
  try {
    const [result] = await eslint.lintFiles([file]);
    return result!.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
  } finally {
    await rm(file, { force: true });
  }
};

const ADAPTER_IMPORTS = {
  value: "import { orderLookups } from '../adapters/readModels/orderLookups.js';\nexport const x = orderLookups;\n",
  'type-only': "import type { ScheduleStore } from '../adapters/scheduler/scheduleStore.js';\nexport type X = ScheduleStore;\n",
  're-export': "export { sessionStore } from '../adapters/auth/sessionStore.js';\n",
  'import() type': "export type X = typeof import('../adapters/metrics/metrics.js');\n",
  'dynamic import': "export const load = () => import('../adapters/metrics/metrics.js');\n",
  'the composition root': "import type { Service } from '../service.js';\nexport type X = Service;\n",
};

for (const dir of ['src/application', 'src/http']) {
  t.test(`${dir} may not depend on adapters`, async (t) => {
    for (const [kind, code] of Object.entries(ADAPTER_IMPORTS)) {
      const messages = await lintProbe(dir, code);
      t.equal(messages.length, 1, `${kind}: one error`);
      t.match(messages[0], { message: /Depend on a port/ }, `${kind}: refused, naming the port rule`);
    }
  });

  t.test(`${dir} may depend on ports`, async (t) => {
    const messages = await lintProbe(
      dir,
      "import type { OrderLookups } from '../domain/ports/orderQueries.js';\nimport { InvalidCursorError } from '../domain/ports/cursors.js';\n" +
        'export type X = OrderLookups;\nexport const e = InvalidCursorError;\n',
    );
    t.same(messages, [], 'no error');
  });
}

t.test('src/application may not depend on the HTTP edge', async (t) => {
  const messages = await lintProbe('src/application', "import type { HttpApp } from '../http/app.js';\nexport type X = HttpApp;\n");
  t.match(messages, [{ ruleId: 'no-restricted-imports', message: /HTTP edge calls use cases/ }]);
});

t.test('the domain rule still holds', async (t) => {
  const messages = await lintProbe('src/domain/ports', "import type { Metrics } from '../../adapters/metrics/metrics.js';\nexport type X = Metrics;\n");
  t.match(messages, [{ ruleId: 'no-restricted-imports', message: /Depend on ports, not on the shell/ }]);
});

t.test('today\'s application and HTTP code obey the rules', async (t) => {
  const results = await eslint.lintFiles(['src/application/**/*.ts', 'src/http/**/*.ts']);
  t.ok(results.length > 30, `${results.length} files linted`);
  const errors = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(root.length + 1)}:${m.line} ${m.message}`));
  t.same(errors, [], 'no layering error');
});

t.test('`as never` fails lint anywhere in src/', async (t) => {
  for (const dir of ['src/adapters', 'src/application', 'src/domain', 'src']) {
    const messages = await lintProbe(dir, 'export const f = (x: unknown): string => x as never;\n');
    t.match(messages, [{ ruleId: 'no-restricted-syntax', message: /No `as never`/ }], `${dir}: refused`);
  }
  t.same(await lintProbe('src', 'export const f = (x: unknown): string => String(x);\n'), [], 'a typed conversion passes');
});
