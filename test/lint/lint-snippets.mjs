/**
 * Lints code snippets as if they were files at given workspace paths, with the real
 * eslint.config.mjs, and prints the messages as JSON.
 *
 * It runs in its own Node process because Jest's module sandbox cannot load an ESM config
 * (`import()` there needs --experimental-vm-modules); a plain process also loads the config
 * exactly as `npm run lint` does, project graph included.
 *
 * stdin:  [{ "filePath": "libs/…/x.ts", "code": "…" }, …]
 * stdout: RESULTS_MARKER, then [[{ "ruleId", "severity", "message", "line" }, …], …] (one array per
 *         input, same order). The marker keeps the JSON apart from anything Nx or a plugin prints.
 */
import { ESLint } from 'eslint';
import { resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../..');
/** Must match RESULTS_MARKER in determinism.unit.spec.ts. */
const RESULTS_MARKER = '--- lint results ---';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const snippets = JSON.parse(input);

// One instance: the config (and with it the project graph) is loaded once for every snippet.
const eslint = new ESLint({ cwd: repoRoot });
const results = [];
for (const { filePath, code } of snippets) {
  const [result] = await eslint.lintText(code, { filePath: resolve(repoRoot, filePath), warnIgnored: true });
  results.push(
    result.messages.map(({ ruleId, severity, message, line }) => ({ ruleId, severity, message, line })),
  );
}
process.stdout.write(`\n${RESULTS_MARKER}\n${JSON.stringify(results)}`);
