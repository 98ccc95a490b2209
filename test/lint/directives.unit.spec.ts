/**
 * A directive comment that names no rule switches off EVERY rule, the escape-hatch policy
 * (tradeloop/disable-directive-policy) included, so ESLint cannot report it. This scan closes that
 * gap: no source file in the workspace may carry a rule-less disable directive.
 */
import * as fs from 'fs';
import * as path from 'path';

const repoRoot = path.resolve(__dirname, '../..');
const SOURCE_DIRS = ['libs', 'apps', 'test'];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage', 'out', '.nx']);
const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|cjs|mjs)$/;

// Spelled in two parts so this file does not contain the directive it looks for.
const DISABLE = 'eslint-' + 'disable';
const LINE_COMMENT = new RegExp(`//\\s*${DISABLE}(?:-next-line|-line)?(?=\\s|$)(.*)$`, 'gm');
const BLOCK_COMMENT = new RegExp(`/\\*\\s*${DISABLE}(?:-next-line|-line)?(?=\\s|\\*/)([^]*?)\\*/`, 'g');
/** ESLint's own separator between a directive's rule list and its description. */
const DESCRIPTION_SEPARATOR = /\s-{2,}\s/;

/** 1-based line numbers of disable directives that name no rule. */
function ruleLessDirectiveLines(source: string): number[] {
  const lines: number[] = [];
  for (const pattern of [LINE_COMMENT, BLOCK_COMMENT]) {
    for (const match of source.matchAll(pattern)) {
      const rules = match[1].split(DESCRIPTION_SEPARATOR)[0];
      if (rules.trim() === '') lines.push(source.slice(0, match.index).split('\n').length);
    }
  }
  return lines.sort((a, b) => a - b);
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) yield* sourceFiles(path.join(dir, entry.name));
    } else if (SOURCE_FILE.test(entry.name)) {
      yield path.join(dir, entry.name);
    }
  }
}

describe('ruleLessDirectiveLines', () => {
  it('line_directive_without_rules_then_reported', () => {
    expect(ruleLessDirectiveLines(`const a = 1;\n// ${DISABLE}-next-line\nconst b = 2;\n`)).toEqual([2]);
  });

  it('line_directive_with_reason_but_no_rules_then_reported', () => {
    expect(ruleLessDirectiveLines(`x(); // ${DISABLE}-line -- it is fine\n`)).toEqual([1]);
  });

  it('file_wide_block_directive_without_rules_then_reported', () => {
    expect(ruleLessDirectiveLines(`/* ${DISABLE} */\nexport const now = Date.now();\n`)).toEqual([1]);
  });

  it('block_directive_with_reason_but_no_rules_then_reported', () => {
    expect(ruleLessDirectiveLines(`\n\n/* ${DISABLE} -- legacy */\n`)).toEqual([3]);
  });

  it('directives_naming_rules_then_not_reported', () => {
    const source = [
      `// ${DISABLE}-next-line no-restricted-properties -- replay harness`,
      `/* ${DISABLE} @typescript-eslint/no-explicit-any -- generated */`,
      `/* ${DISABLE}-next-line\n   no-console -- multi-line block */`,
      '// see the eslint docs about disabling rules',
    ].join('\n');
    expect(ruleLessDirectiveLines(source)).toEqual([]);
  });
});

describe('workspace sources', () => {
  it('no_source_file_has_a_rule_less_disable_directive', () => {
    const files = [
      ...SOURCE_DIRS.map((d) => path.join(repoRoot, d)).filter((d) => fs.existsSync(d)).flatMap((d) => [...sourceFiles(d)]),
      ...fs.readdirSync(repoRoot).filter((f) => SOURCE_FILE.test(f)).map((f) => path.join(repoRoot, f)),
    ];
    expect(files.length).toBeGreaterThan(0);
    const offenders = files.flatMap((file) =>
      ruleLessDirectiveLines(fs.readFileSync(file, 'utf8')).map((line) => `${path.relative(repoRoot, file)}:${line}`),
    );
    expect(offenders).toEqual([]);
  });
});
