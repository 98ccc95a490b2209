/**
 * npm run start:services — every Tradeloop service as its own process against NATS and
 * PostgreSQL (NATS_URL, DATABASE_URL, … as in the README), output prefixed with the service
 * name. Ctrl-C (SIGINT) or SIGTERM stops them all cleanly. A service that exits is reported and
 * the others keep running, as they would in Kubernetes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const REPO = resolve(__dirname, '..');
const ALL = ['market-data', 'scanner', 'rl-decision', 'risk', 'governor', 'executor', 'notifier', 'learning', 'gateway'];
const only = process.argv.slice(2);
const unknown = only.filter((s) => !ALL.includes(s));
if (unknown.length > 0) {
  process.stderr.write(`unknown service(s): ${unknown.join(', ')}; known: ${ALL.join(', ')}\n`);
  process.exit(1);
}
const names = (only.length > 0 ? only : ALL).filter((s) => existsSync(resolve(REPO, `apps/${s}/src/main.ts`)));
const children = new Map<string, ChildProcess>();
let stopping = false;

for (const name of names) {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(REPO, `apps/${name}/src/main.ts`)], {
    cwd: REPO,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `${name.padEnd(12)}| `;
  const relay = (out: NodeJS.WriteStream) => (b: Buffer) => {
    for (const line of b.toString().split('\n')) if (line.trim() !== '') out.write(prefix + line + '\n');
  };
  child.stdout!.on('data', relay(process.stdout));
  child.stderr!.on('data', relay(process.stderr));
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) process.stderr.write(`${prefix}exited (${signal ?? code}); the other services keep running\n`);
    if (children.size === 0) process.exit(stopping ? 0 : 1);
  });
  children.set(name, child);
}
process.stdout.write(`started ${names.join(', ')}\n`);

const stop = (): void => {
  if (stopping) return;
  stopping = true;
  for (const c of children.values()) c.kill('SIGTERM');
  setTimeout(() => {
    for (const c of children.values()) c.kill('SIGKILL');
  }, 15_000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
