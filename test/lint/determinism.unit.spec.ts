/**
 * The lint config is a tool that enforces determinism and module boundaries, so it gets tests
 * like any other tool: each banned construct must fail in domain code and stay legal where I/O
 * belongs, and each forbidden project edge must fail. A config typo that silently switches a rule
 * off (wrong glob, rule overridden by a later block, Nx graph missing) fails here.
 *
 * All snippets are linted in ONE child process with ONE ESLint instance (see lint-snippets.mjs
 * for why it is a child process), so the whole file costs one config load.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

interface LintMessage {
  ruleId: string | null;
  severity: 0 | 1 | 2;
  message: string;
  line: number;
}

const repoRoot = path.resolve(__dirname, '../..');
const HELPER = path.join(__dirname, 'lint-snippets.mjs');
/** Must match RESULTS_MARKER in lint-snippets.mjs. */
const RESULTS_MARKER = '--- lint results ---';

// Paths need not exist: rules select files by glob, and Nx maps a path to the project whose root
// contains it. The projects themselves (scanner, market-data, kernel, …) must exist.
const DOMAIN = 'libs/domain/scanner/src/fixture.ts';
const DOMAIN_SPEC = 'libs/domain/scanner/src/fixture.unit.spec.ts';
const DOMAIN_TEST_SUPPORT = 'libs/domain/scanner/src/fixture.test-support.ts';
const KERNEL = 'libs/kernel/src/fixture.ts';
const CONTRACTS = 'libs/contracts/src/fixture.ts';
const ADAPTER = 'libs/market-data/src/fixture.ts';

const WHY_CLOCK = 'takes time from the message ts';
const WHY_RANDOM = 'randomness from the seeded PRNG in state';
const WHY_ENV = 'reads no environment';
const WHY_IO = 'does no I/O';
const WHY_FRAMEWORK = 'framework- and transport-free';

const RESTRICTED_PROPERTY = 'no-restricted-properties';
const RESTRICTED_SYNTAX = 'no-restricted-syntax';
const RESTRICTED_GLOBAL = 'no-restricted-globals';
const RESTRICTED_IMPORT = '@typescript-eslint/no-restricted-imports';
const BOUNDARIES = '@nx/enforce-module-boundaries';
const DIRECTIVE_POLICY = 'tradeloop/disable-directive-policy';

/** [case name, code, rule that must report an error in domain code, fragment of its message] */
const BANNED_IN_DOMAIN: ReadonlyArray<[string, string, string, string]> = [
  ['date_now', 'export const now = Date.now();\n', RESTRICTED_PROPERTY, WHY_CLOCK],
  ['new_date_without_args', 'export const now = new Date();\n', RESTRICTED_SYNTAX, WHY_CLOCK],
  ['new_date_with_epoch', 'export const at = new Date(1_700_000_000_000);\n', RESTRICTED_SYNTAX, WHY_CLOCK],
  ['date_called_as_function', 'export const now = Date();\n', RESTRICTED_SYNTAX, WHY_CLOCK],
  ['performance_now', 'export const t = performance.now();\n', RESTRICTED_PROPERTY, WHY_CLOCK],
  ['process_hrtime', 'export const t = process.hrtime.bigint();\n', RESTRICTED_PROPERTY, WHY_CLOCK],
  ['math_random', 'export const r = Math.random();\n', RESTRICTED_PROPERTY, WHY_RANDOM],
  ['crypto_random_uuid', 'export const id = crypto.randomUUID();\n', RESTRICTED_PROPERTY, WHY_RANDOM],
  [
    'random_uuid_from_node_crypto',
    "import { randomUUID } from 'node:crypto';\nexport const id = randomUUID();\n",
    RESTRICTED_SYNTAX,
    WHY_RANDOM,
  ],
  ['uuid_v4', "import { v4 } from 'uuid';\nexport const id = v4();\n", RESTRICTED_IMPORT, WHY_RANDOM],
  ['process_env', 'export const url = process.env.NATS_URL;\n', RESTRICTED_PROPERTY, WHY_ENV],
  ['process_env_destructured', 'export const { env } = process;\n', RESTRICTED_PROPERTY, WHY_ENV],
  ['import_fs', "import * as fs from 'fs';\nexport const read = fs.readFileSync;\n", RESTRICTED_IMPORT, WHY_IO],
  [
    'import_node_fs_promises',
    "import { readFile } from 'node:fs/promises';\nexport const read = readFile;\n",
    RESTRICTED_IMPORT,
    WHY_IO,
  ],
  ['import_path', "import { join } from 'path';\nexport const j = join;\n", RESTRICTED_IMPORT, WHY_IO],
  ['import_child_process', "import { spawn } from 'child_process';\nexport const s = spawn;\n", RESTRICTED_IMPORT, WHY_IO],
  ['import_node_http', "import { request } from 'node:http';\nexport const r = request;\n", RESTRICTED_IMPORT, WHY_IO],
  ['import_worker_threads', "import { Worker } from 'worker_threads';\nexport const W = Worker;\n", RESTRICTED_IMPORT, WHY_IO],
  ['import_nestjs', "import { Injectable } from '@nestjs/common';\nexport const I = Injectable;\n", RESTRICTED_IMPORT, WHY_FRAMEWORK],
  ['import_nats', "import { connect } from 'nats';\nexport const c = connect;\n", RESTRICTED_IMPORT, WHY_FRAMEWORK],
  ['import_nats_io', "import { jetstream } from '@nats-io/jetstream';\nexport const j = jetstream;\n", RESTRICTED_IMPORT, WHY_FRAMEWORK],
  ['import_typeorm', "import type { DataSource } from 'typeorm';\nexport type D = DataSource;\n", RESTRICTED_IMPORT, WHY_FRAMEWORK],
  ['import_pg', "import { Pool } from 'pg';\nexport const P = Pool;\n", RESTRICTED_IMPORT, WHY_FRAMEWORK],
  ['import_pglite', "import { PGlite } from '@electric-sql/pglite';\nexport const P = PGlite;\n", RESTRICTED_IMPORT, WHY_FRAMEWORK],
  ['set_timeout', 'setTimeout(() => undefined, 10);\n', RESTRICTED_GLOBAL, 'wakeAt'],
  ['console_log', "console.log('signal');\n", RESTRICTED_GLOBAL, 'does not log'],
  ['fetch', "export const get = () => fetch('https://example.com');\n", RESTRICTED_GLOBAL, WHY_IO],
  ['dynamic_import', "export const load = () => import('./strategies');\n", RESTRICTED_SYNTAX, 'loads no modules'],
];

const PURE_DOMAIN_CODE = [
  "import { utcDayStart, utcHour } from '@tradeloop/kernel';",
  "import type { MessageDataMap } from '@tradeloop/contracts';",
  '',
  'export type Bar = MessageDataMap[\'BarClosed\'];',
  'export const SESSION_OPEN = Date.UTC(2024, 0, 2, 8) + Date.parse(\'1970-01-01T00:00:00Z\');',
  'export function sessionHour(ts: number): number {',
  '  return utcHour(ts - utcDayStart(ts));',
  '}',
  '',
].join('\n');

type Case = { key: string; filePath: string; code: string };
const cases: Case[] = [];
const at = (key: string, filePath: string, code: string): string => {
  cases.push({ key, filePath, code });
  return key;
};

for (const [name, code] of BANNED_IN_DOMAIN) {
  at(`domain:${name}`, DOMAIN, code);
  at(`adapter:${name}`, ADAPTER, code);
}
at('kernel:date_now', KERNEL, 'export const now = Date.now();\n');
at('contracts:math_random', CONTRACTS, 'export const r = Math.random();\n');
at('domain:pure', DOMAIN, PURE_DOMAIN_CODE);

const SPEC_READS_SHARED_DATA = [
  "import * as fs from 'fs';",
  "import * as path from 'path';",
  '',
  "export const csv = fs.readFileSync(path.join(__dirname, 'bars.csv'), 'utf8');",
  'export const start = Date.UTC(2014, 4, 6, 13, 45);',
  '',
].join('\n');
at('spec:reads_shared_data', DOMAIN_SPEC, SPEC_READS_SHARED_DATA);
at('spec:date_now', DOMAIN_SPEC, 'export const now = Date.now();\n');
at('spec:new_date', DOMAIN_SPEC, "export const at = new Date('2014-05-06T13:45:00Z');\n");
at('spec:math_random', DOMAIN_SPEC, 'export const r = Math.random();\n');
at('spec:imports_test_support', DOMAIN_SPEC, "import { loadBars } from './test-support';\nexport const l = loadBars;\n");
at('test_support:reads_shared_data', DOMAIN_TEST_SUPPORT, SPEC_READS_SHARED_DATA);
at('test_support:date_now', DOMAIN_TEST_SUPPORT, 'export const now = Date.now();\n');
at('domain:imports_test_support', DOMAIN, "import { loadBars } from './test-support';\nexport const l = loadBars;\n");
at('domain:imports_named_test_support', DOMAIN, "import { bars } from '../bars.test-support';\nexport const b = bars;\n");
at('spec:child_process', DOMAIN_SPEC, "import { spawn } from 'child_process';\nexport const s = spawn;\n");

at(
  'hatch:explained',
  DOMAIN,
  '// eslint-disable-next-line no-restricted-properties -- fixture: the escape hatch itself\nexport const now = Date.now();\n',
);
// Spelled in two parts so directives.unit.spec.ts does not find a rule-less directive in this file.
at('hatch:rule_less', DOMAIN, '// eslint-' + 'disable-next-line -- trust me\nexport const now = Date.now();\n');
at('hatch:unexplained', DOMAIN, '// eslint-disable-next-line no-restricted-properties\nexport const now = Date.now();\n');
at(
  'hatch:unused',
  DOMAIN,
  '// eslint-disable-next-line no-restricted-properties -- nothing to excuse here\nexport const t = Date.UTC(2024, 0, 1);\n',
);
at(
  'hatch:file_wide',
  DOMAIN,
  '/* eslint-disable no-restricted-properties -- whole file */\nexport const now = Date.now();\n',
);

at('boundary:domain_to_runtime', DOMAIN, "import { x } from '@tradeloop/runtime';\nexport const y = x;\n");
at('boundary:domain_to_adapter', DOMAIN, "import { x } from '@tradeloop/market-data';\nexport const y = x;\n");
at(
  'boundary:domain_to_kernel_contracts_testing',
  DOMAIN,
  [
    "import { utcHour } from '@tradeloop/kernel';",
    "import { CATALOG } from '@tradeloop/contracts';",
    "import { given } from '@tradeloop/testing';",
    'export const uses = [utcHour, CATALOG, given];',
    '',
  ].join('\n'),
);
at('boundary:kernel_to_contracts', KERNEL, "import { CATALOG } from '@tradeloop/contracts';\nexport const c = CATALOG;\n");
at('boundary:kernel_relative_into_contracts', KERNEL, "import { CATALOG } from '../../contracts/src/catalog';\nexport const c = CATALOG;\n");
at('boundary:adapter_to_runtime', ADAPTER, "import { x } from '@tradeloop/runtime';\nexport const y = x;\n");
at('boundary:adapter_to_kernel', ADAPTER, "import { utcHour } from '@tradeloop/kernel';\nexport const h = utcHour;\n");

let results: ReadonlyMap<string, LintMessage[]>;

beforeAll(() => {
  const run = spawnSync(process.execPath, [HELPER], {
    cwd: repoRoot,
    input: JSON.stringify(cases.map(({ filePath, code }) => ({ filePath, code }))),
    encoding: 'utf8',
    timeout: 50_000,
  });
  if (run.status !== 0) throw new Error(`lint-snippets.mjs failed (${run.status}):\n${run.stderr}${run.error ?? ''}`);
  const markerAt = run.stdout.lastIndexOf(RESULTS_MARKER);
  if (markerAt < 0) throw new Error(`lint-snippets.mjs printed no results:\n${run.stdout}`);
  const chatter = run.stdout.slice(0, markerAt).trim();
  // Nx prints "No cached ProjectGraph is available. The rule will be skipped." when it cannot see
  // the graph; boundaries would then pass silently, so any chatter on stdout fails the suite.
  expect(chatter).toBe('');
  const perCase = JSON.parse(run.stdout.slice(markerAt + RESULTS_MARKER.length)) as LintMessage[][];
  expect(perCase).toHaveLength(cases.length);
  results = new Map(cases.map((c, i) => [c.key, perCase[i]]));
});

const errorsOf = (key: string): LintMessage[] => {
  const messages = results.get(key);
  if (!messages) throw new Error(`no lint result for ${key}`);
  return messages.filter((m) => m.severity === 2);
};
const errorsFrom = (key: string, ruleId: string | null): LintMessage[] =>
  errorsOf(key).filter((m) => m.ruleId === ruleId);
/** Rule ids and messages, so a failing expectation shows what lint actually said. */
const summary = (key: string): string[] => errorsOf(key).map((m) => `${m.ruleId}: ${m.message}`);

describe('determinism rules', () => {
  it.each(BANNED_IN_DOMAIN)('%s_in_domain_code_then_lint_error', (name, _code, ruleId, why) => {
    const hits = errorsFrom(`domain:${name}`, ruleId);
    expect(hits.map((m) => m.message)).toEqual(expect.arrayContaining([expect.stringContaining(why)]));
  });

  it.each(BANNED_IN_DOMAIN)('%s_in_adapter_code_then_allowed', (name) => {
    expect(summary(`adapter:${name}`)).toEqual([]);
  });

  it('date_now_in_kernel_then_lint_error', () => {
    expect(errorsFrom('kernel:date_now', RESTRICTED_PROPERTY)).toHaveLength(1);
  });

  it('math_random_in_contracts_then_lint_error', () => {
    expect(errorsFrom('contracts:math_random', RESTRICTED_PROPERTY)).toHaveLength(1);
  });

  it('pure_domain_code_with_date_utc_and_kernel_time_then_clean', () => {
    expect(results.get('domain:pure')).toEqual([]);
  });
});

describe('determinism rules in domain tests', () => {
  it('spec_reads_shared_data_with_fs_and_path_then_allowed', () => {
    expect(summary('spec:reads_shared_data')).toEqual([]);
  });

  it('date_now_in_spec_then_lint_error', () => {
    expect(errorsFrom('spec:date_now', RESTRICTED_PROPERTY)).toHaveLength(1);
  });

  it('new_date_in_spec_then_lint_error', () => {
    expect(errorsFrom('spec:new_date', RESTRICTED_SYNTAX)).toHaveLength(1);
  });

  it('math_random_in_spec_then_lint_error', () => {
    expect(errorsFrom('spec:math_random', RESTRICTED_PROPERTY)).toHaveLength(1);
  });

  it('child_process_in_spec_then_lint_error', () => {
    expect(errorsFrom('spec:child_process', RESTRICTED_IMPORT)).toHaveLength(1);
  });
});

describe('test-support modules', () => {
  it('test_support_reads_shared_data_with_fs_and_path_then_allowed', () => {
    expect(summary('test_support:reads_shared_data')).toEqual([]);
  });

  it('date_now_in_test_support_then_lint_error', () => {
    expect(errorsFrom('test_support:date_now', RESTRICTED_PROPERTY)).toHaveLength(1);
  });

  it('spec_imports_test_support_then_allowed', () => {
    expect(summary('spec:imports_test_support')).toEqual([]);
  });

  it.each(['domain:imports_test_support', 'domain:imports_named_test_support'])(
    'production_domain_code_imports_test_support_then_lint_error (%s)',
    (key) => {
      const hits = errorsFrom(key, RESTRICTED_IMPORT);
      expect(hits.map((m) => m.message)).toEqual([expect.stringContaining('for tests only')]);
    },
  );
});

describe('escape hatch', () => {
  it('explained_disable_next_line_then_clean', () => {
    expect(results.get('hatch:explained')).toEqual([]);
  });

  it('disable_without_reason_then_lint_error', () => {
    expect(errorsFrom('hatch:unexplained', DIRECTIVE_POLICY)).toHaveLength(1);
  });

  it('disable_naming_no_rule_then_lint_error', () => {
    const hits = errorsFrom('hatch:rule_less', DIRECTIVE_POLICY);
    expect(hits.map((m) => m.message)).toEqual([expect.stringContaining('Name the rule')]);
  });

  it('disable_that_suppresses_nothing_then_lint_error', () => {
    const unused = errorsFrom('hatch:unused', null);
    expect(unused.map((m) => m.message)).toEqual([expect.stringContaining('Unused eslint-disable directive')]);
  });

  it('file_wide_disable_in_domain_then_lint_error', () => {
    expect(errorsFrom('hatch:file_wide', DIRECTIVE_POLICY)).toHaveLength(1);
  });
});

describe('module boundaries', () => {
  it('domain_imports_runtime_then_boundary_error', () => {
    expect(errorsFrom('boundary:domain_to_runtime', BOUNDARIES)).toHaveLength(1);
  });

  it('domain_imports_adapter_then_tag_constraint_error', () => {
    const hits = errorsFrom('boundary:domain_to_adapter', BOUNDARIES);
    expect(hits.map((m) => m.message)).toEqual([
      expect.stringMatching(/tagged with "type:domain" can only depend on libs tagged with/),
    ]);
  });

  it('domain_imports_kernel_contracts_and_testing_then_clean', () => {
    expect(summary('boundary:domain_to_kernel_contracts_testing')).toEqual([]);
  });

  it('kernel_imports_contracts_then_boundary_error', () => {
    expect(errorsFrom('boundary:kernel_to_contracts', BOUNDARIES)).toHaveLength(1);
  });

  it('kernel_imports_contracts_by_relative_path_then_boundary_error', () => {
    expect(errorsFrom('boundary:kernel_relative_into_contracts', BOUNDARIES)).toHaveLength(1);
  });

  it('adapter_imports_runtime_then_boundary_error', () => {
    expect(errorsFrom('boundary:adapter_to_runtime', BOUNDARIES)).toHaveLength(1);
  });

  it('adapter_imports_kernel_then_clean', () => {
    expect(summary('boundary:adapter_to_kernel')).toEqual([]);
  });
});
