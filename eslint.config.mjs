// @ts-check
/**
 * Lint for the whole workspace (`npm run lint` → `eslint .`).
 *
 * Three layers:
 *  1. typescript-eslint `recommended` (syntax only, no type information: lint stays fast).
 *  2. Nx module boundaries by project tag (`nx.tags` in each workspace package.json).
 *  3. Determinism and purity on the deterministic path (kernel, contracts, domain): replay
 *     reproduces decisions byte for byte only if no code there reads a clock, unseeded
 *     randomness, the environment or the outside world. The escape hatch is a per-line
 *     `// eslint-disable-next-line <rule> -- <why>`; an unexplained or unused one fails lint.
 */
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import { createProjectGraphAsync } from '@nx/devkit';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// @nx/enforce-module-boundaries reads only the graph cached in .nx/workspace-data and silently
// skips every check when that cache is missing, and a stale cache does not know projects added
// since. Building the graph here (daemon off, offline, incremental: ~1-2 s) refreshes that cache
// before any file is linted, so `eslint .`, editors and the lint test all see today's projects.
// A broken project (e.g. malformed package.json) throws here and fails lint instead of passing.
process.env.NX_DAEMON ??= 'false';
await createProjectGraphAsync({ exitOnError: false });

const TS_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];
const JS_FILES = ['**/*.js', '**/*.cjs', '**/*.mjs'];
const SPEC_FILES = ['**/*.spec.ts', '**/*.test.ts'];
/**
 * Test-only helpers next to the code (loaders for the shared data files, bar builders). They
 * get the test rules; production code on the deterministic path may not import them.
 */
const TEST_SUPPORT_FILES = ['**/test-support.ts', '**/*.test-support.ts', '**/test-support/**/*.ts'];
const TEST_ONLY_FILES = [...SPEC_FILES, ...TEST_SUPPORT_FILES];

/** The deterministic path: everything here must replay identically. */
const DETERMINISTIC = ['libs/kernel/**/*.ts', 'libs/contracts/**/*.ts', 'libs/domain/**/*.ts'];
/** Tests of the deterministic path and the given/when/then helpers they use. */
const DETERMINISTIC_TESTS = [
  ...DETERMINISTIC.flatMap((glob) => TEST_ONLY_FILES.map((testGlob) => glob.replace('**/*.ts', testGlob))),
  'libs/testing/**/*.ts',
];

// ---------------------------------------------------------------------------------------------
// Messages: say why, and what to use instead.
// ---------------------------------------------------------------------------------------------
const WHY_CLOCK =
  'Domain code takes time from the message ts (epoch ms UTC) and uses utcHour/utcDayStart/… ' +
  'from @tradeloop/kernel; a wall-clock read makes backtest, live and replay diverge. ' +
  'Date.UTC/Date.parse are pure and allowed.';
const WHY_RANDOM =
  'Domain code takes randomness from the seeded PRNG in state (seedPrng/nextFloat/nextBeta from ' +
  '@tradeloop/kernel) and ids from deriveId/nameId/clientOrderIdFor; unseeded randomness breaks replay.';
const WHY_ENV =
  'Domain code reads no environment: each service reads and validates its variables once at ' +
  'boot (config module in the shell) and passes the result in as data.';
const WHY_PROCESS =
  'Domain code does not touch the process (argv, cwd, exit, stdio, resource usage): it is a ' +
  'pure function of its inputs; the runtime and apps own the process.';
const WHY_IO =
  'Domain code does no I/O (files, network, processes, threads, OS): data arrives as messages ' +
  'and leaves as outputs; I/O belongs in adapters (libs/market-data, …), libs/runtime or apps.';
const WHY_FRAMEWORK =
  'Domain code is framework- and transport-free: Nest, NATS, TypeORM, pg and PGlite belong in ' +
  'adapters, libs/runtime and apps.';
const WHY_TIMER =
  'Domain code does not schedule callbacks: return the event time from wakeAt(state) and handle ' +
  'the TimerFired input the host delivers.';
const WHY_CONSOLE =
  'Domain code does not log (I/O, and a cost on the per-bar hot path): say it with an output ' +
  'message or a reason code; logging is the shell’s job.';
const WHY_TEST_SUPPORT =
  'test-support modules read files and exist for tests only; production code must not import them.';
const WHY_DYNAMIC_IMPORT =
  'Domain code is synchronous and loads no modules at run time: import statically.';

// ---------------------------------------------------------------------------------------------
// Clock and randomness: banned in domain code AND its tests (a test that reads the clock or
// unseeded randomness cannot fail reliably).
// ---------------------------------------------------------------------------------------------
const clockAndRandomSyntax = [
  { selector: "NewExpression[callee.name='Date']", message: `new Date(...) is not allowed. ${WHY_CLOCK}` },
  { selector: "CallExpression[callee.name='Date']", message: `Date() reads the wall clock. ${WHY_CLOCK}` },
  { selector: "CallExpression[callee.name='randomUUID']", message: `randomUUID() is unseeded. ${WHY_RANDOM}` },
];
const clockAndRandomProperties = [
  { object: 'Date', property: 'now', message: WHY_CLOCK },
  { object: 'performance', property: 'now', message: WHY_CLOCK },
  { object: 'performance', property: 'timeOrigin', message: WHY_CLOCK },
  { object: 'process', property: 'hrtime', message: WHY_CLOCK },
  { object: 'process', property: 'uptime', message: WHY_CLOCK },
  { object: 'Math', property: 'random', message: WHY_RANDOM },
  { object: 'crypto', property: 'randomUUID', message: WHY_RANDOM },
  { object: 'crypto', property: 'getRandomValues', message: WHY_RANDOM },
  { object: 'crypto', property: 'randomBytes', message: WHY_RANDOM },
  { object: 'crypto', property: 'randomInt', message: WHY_RANDOM },
];

// Node builtins by the reason they are banned; each matches `x`, `node:x` and `x/sub`.
const IO_BUILTINS = [
  'fs', 'path', 'os', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'child_process',
  'cluster', 'worker_threads', 'readline', 'repl', 'vm', 'v8', 'inspector', 'module', 'process',
  'async_hooks', 'stream', 'zlib',
];
const builtinRegex = (names) => `^(node:)?(${names.join('|')})(/.*)?$`;

/** Import bans for the deterministic path; `testFileAccess` lets tests read shared data files. */
function restrictedImports({ testFileAccess }) {
  const io = testFileAccess ? IO_BUILTINS.filter((m) => m !== 'fs' && m !== 'path') : IO_BUILTINS;
  const testSupport = testFileAccess ? [] : [{ regex: '(^|/)([^/]*\\.)?test-support(/|$)', message: WHY_TEST_SUPPORT }];
  return {
    paths: [
      {
        name: 'uuid',
        importNames: ['v1', 'v4', 'v6', 'v7'],
        message: `Time-based and random UUIDs are not reproducible (v5 is). ${WHY_RANDOM}`,
      },
    ],
    patterns: [
      { regex: builtinRegex(io), message: WHY_IO },
      { regex: builtinRegex(['crypto']), message: `node:crypto is banned. ${WHY_RANDOM}` },
      { regex: builtinRegex(['perf_hooks', 'timers']), message: `${WHY_CLOCK} ${WHY_TIMER}` },
      { regex: '^(@nestjs|@nats-io|@electric-sql)/', message: WHY_FRAMEWORK },
      { regex: '^(nats|typeorm|pg|pg-[a-z-]+)(/.*)?$', message: WHY_FRAMEWORK },
      ...testSupport,
    ],
  };
}

const processProperties = [
  { object: 'process', property: 'env', message: WHY_ENV },
  ...['argv', 'cwd', 'exit', 'stdout', 'stderr', 'stdin', 'memoryUsage', 'cpuUsage', 'nextTick', 'on'].map(
    (property) => ({ object: 'process', property, message: WHY_PROCESS }),
  ),
];

// ---------------------------------------------------------------------------------------------
// Escape-hatch policy: every `eslint-disable…` names the rules it excuses and says why after
// ` -- `; on the deterministic path only the per-line forms are allowed, so one exception cannot
// silence a whole file. (A file-wide disable with no rule list silences this rule too, so
// test/lint/directives.unit.spec.ts scans the sources for directives without rules.)
// ---------------------------------------------------------------------------------------------
const DIRECTIVE = /^\s*eslint-disable(-next-line|-line)?(?=\s|$)([^]*)$/;
/** ESLint's own separator between a directive's rule list and its description. */
const DESCRIPTION_SEPARATOR = /\s-{2,}\s/;
/** @type {import('eslint').Rule.RuleModule} */
const disableDirectivePolicy = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'eslint-disable comments name their rules and give a reason; optionally only per-line ones are allowed.',
    },
    schema: [{ type: 'object', properties: { lineOnly: { type: 'boolean' } }, additionalProperties: false }],
    messages: {
      missingRules: 'Name the rule(s) you are excusing: `eslint-disable… <rule> -- <why>` (a bare disable silences every check).',
      missingReason:
        'Explain the exception: `eslint-disable… <rule> -- <why this is safe here>` (an unexplained escape hatch is not allowed).',
      lineOnly:
        'Exceptions on the deterministic path are per line: use `// eslint-disable-next-line <rule> -- <why>`.',
    },
  },
  create(context) {
    const lineOnly = context.options[0]?.lineOnly ?? false;
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          const m = DIRECTIVE.exec(comment.value);
          if (!m) continue;
          const [, variant, rest] = m;
          const separator = DESCRIPTION_SEPARATOR.exec(rest);
          const rules = separator ? rest.slice(0, separator.index) : rest;
          const reason = separator ? rest.slice(separator.index + separator[0].length) : '';
          if (lineOnly && !variant) context.report({ loc: comment.loc, messageId: 'lineOnly' });
          if (!rules.trim()) context.report({ loc: comment.loc, messageId: 'missingRules' });
          if (!reason.trim()) context.report({ loc: comment.loc, messageId: 'missingReason' });
        }
      },
    };
  },
};
/** @type {import('eslint').ESLint.Plugin} */
const tradeloop = { meta: { name: 'tradeloop' }, rules: { 'disable-directive-policy': disableDirectivePolicy } };

export default defineConfig([
  globalIgnores(['**/node_modules/', '**/dist/', '**/coverage/', '.nx/', '**/out/', 'tmp/', 'test/bench/*.tmp.ts']),

  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  js.configs.recommended,
  tseslint.configs.recommended,
  nx.configs['flat/base'],

  // Plain JS (config files, CLI bin shims, Jest reporters) runs as CommonJS on Node.
  {
    files: JS_FILES,
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        performance: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      // @typescript-eslint/no-unused-vars (below) covers JS too; the core rule would report twice.
      'no-unused-vars': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module' },
  },

  // Everything: tuning, the escape-hatch policy and module boundaries.
  {
    files: [...TS_FILES, ...JS_FILES],
    plugins: { tradeloop },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/no-explicit-any': 'warn',
      // `interface OrderFilledV2 extends OrderFilled {}` names a version; that is not an empty type.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      'tradeloop/disable-directive-policy': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          enforceBuildableLibDependency: false,
          depConstraints: [
            { sourceTag: 'type:kernel', onlyDependOnLibsWithTags: ['type:kernel'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:kernel', 'type:contracts'] },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:kernel', 'type:contracts', 'type:testing'],
            },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:kernel', 'type:contracts'] },
            {
              sourceTag: 'type:adapter',
              onlyDependOnLibsWithTags: ['type:kernel', 'type:contracts', 'type:adapter'],
            },
            {
              sourceTag: 'type:runtime',
              onlyDependOnLibsWithTags: [
                'type:kernel',
                'type:contracts',
                'type:domain',
                'type:adapter',
                'type:runtime',
              ],
            },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },

  // Tests may use `any` for fixtures and partial payloads.
  {
    files: SPEC_FILES,
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  // Deterministic path, production code: clock, randomness, environment, process, I/O,
  // frameworks, timers, logging and dynamic imports are all banned.
  {
    files: DETERMINISTIC,
    ignores: TEST_ONLY_FILES,
    rules: {
      'no-restricted-syntax': [
        'error',
        ...clockAndRandomSyntax,
        { selector: 'ImportExpression', message: WHY_DYNAMIC_IMPORT },
      ],
      'no-restricted-properties': ['error', ...clockAndRandomProperties, ...processProperties],
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask'].map((name) => ({
          name,
          message: WHY_TIMER,
        })),
        ...['fetch', 'WebSocket', 'XMLHttpRequest'].map((name) => ({ name, message: WHY_IO })),
        { name: 'console', message: WHY_CONSOLE },
      ],
      '@typescript-eslint/no-restricted-imports': ['error', restrictedImports({ testFileAccess: false })],
      'tradeloop/disable-directive-policy': ['error', { lineOnly: true }],
    },
  },

  // Tests of the deterministic path: still no clock or randomness (a test must give the same
  // answer every run), but they may read shared data with fs/path and look at the process.
  {
    files: DETERMINISTIC_TESTS,
    rules: {
      'no-restricted-syntax': ['error', ...clockAndRandomSyntax],
      'no-restricted-properties': ['error', ...clockAndRandomProperties],
      '@typescript-eslint/no-restricted-imports': ['error', restrictedImports({ testFileAccess: true })],
      'tradeloop/disable-directive-policy': ['error', { lineOnly: true }],
    },
  },

  // Last: switch off anything that would fight a formatter.
  prettier,
]);
