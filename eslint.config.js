import tseslint from 'typescript-eslint';

// Selectors shared by the purity rules (flat config replaces a rule's options, so they repeat).
const impureSyntax = [
  { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'Pure code takes `now` from its input.' },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Pure code takes `now` from its input.' },
  { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Pure code takes randomness from its input.' },
  { selector: "MemberExpression[object.name='crypto'][property.name='randomUUID']", message: 'Pure code takes ids from its input.' },
];

// `x as never` fits any type and so hides a mismatch the compiler would name; type the thing instead
// (src/http/app.ts's routeGroup for route plugins). Repeated in every block that sets the rule.
const noAsNever = { selector: 'TSAsExpression > TSNeverKeyword', message: 'No `as never`: give the value its real type (a generic helper or a type guard).' };

// What application and HTTP code may not import: adapters, and the composition root that wires them.
const shellImports = {
  group: ['**/adapters', '**/adapters/**', '**/service.js', '**/main.js'],
  message: 'Depend on a port (src/domain/ports), not on an adapter; src/service.ts wires the adapter.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tap/**', '.kafka/**', '.oms-data/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    // Type-aware rules: a promise nobody awaits loses its error (an unhandled rejection ends the process),
    // and a promise passed where a callback's result is ignored runs unchecked.
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['scripts/*.mjs', 'bin/*.mjs', 'bench/pipeline/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // tap queues subtests itself: `t.test(...)` needs no await (tap awaits each before the next).
        { allowForKnownSafePromises: [{ from: 'package', name: 'PromiseWithSubtest', package: '@tapjs/core' }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', noAsNever] },
  },
  {
    // The domain and the projection definitions are pure: no I/O, no clock, no randomness.
    files: ['src/domain/**/*.ts', 'src/projections/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'fs/*', 'http', 'https', 'net', 'crypto', 'child_process', 'os', 'path'], message: 'Pure code: no Node I/O.' },
            { group: ['pg', 'pg-*', 'kafkajs', '@eventstore/*', '@kurrent/*', '@electric-sql/*', 'fastify*', '@fastify/*', 'pino*', 'prom-client', 'undici', 'testcontainers'], message: 'I/O libraries belong in src/adapters.' },
            { group: ['**/adapters/**', '**/http/**', '**/main.js', '**/service.js', '**/config.js', '**/logger.js', '**/sandbox/**'], message: 'Depend on ports, not on the shell.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'fetch', 'setTimeout', 'setInterval', 'setImmediate', 'console', 'crypto'],
      'no-restricted-syntax': ['error', ...impureSyntax, noAsNever],
    },
  },
  {
    // Layering (docs/architecture.md): use cases and the HTTP edge depend on ports (src/domain/ports),
    // never on an adapter — type-only imports, re-exports and import() types included; the
    // composition root (src/service.ts) hands them the adapters.
    files: ['src/application/**/*.ts', 'src/http/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [shellImports] }],
      'no-restricted-syntax': [
        'error',
        { selector: "ImportExpression[source.value=/adapters/]", message: shellImports.message },
        { selector: "TSImportType[argument.literal.value=/adapters/]", message: shellImports.message },
        noAsNever,
      ],
    },
  },
  {
    // Use cases do not know the HTTP edge that calls them (flat config replaces the options above).
    files: ['src/application/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [shellImports, { group: ['**/http', '**/http/**'], message: 'The HTTP edge calls use cases, not the other way round.' }] }],
    },
  },
  {
    // Only the entry points read the environment; everything else gets a parsed Config.
    files: ['src/**/*.ts'],
    ignores: ['src/main.ts', 'src/cli/**', 'scripts/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration via src/config.ts, wired in main.ts.' }],
    },
  },
);
