import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const REPO = resolve(__dirname, '../../..');
const NATS_URL = process.env['TRADELOOP_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

test('runServiceMain_when_the_worker_fails_for_good_then_logs_why_and_exits_1_to_be_restarted', async () => {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(__dirname, 'fixtures/failing-worker.main.ts')], {
    cwd: REPO,
    env: { ...process.env, NATS_URL, HTTP_PORT: '0', NATS_NAMESPACE: `tfail${process.pid}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  expect(code).toBe(1);
  expect(output).toContain('worker failed for good: exiting 1 so that the service is restarted');
  expect(output).toContain('connect ECONNREFUSED');
  // Logs are JSON on stdout, Nest's own included (its console logger wrote ANSI-coloured text).
  const lines = output.trimEnd().split('\n');
  expect(lines.filter((l) => !l.startsWith('{'))).toEqual([]);
  expect(lines.map((l) => JSON.parse(l) as { msg: string; context?: string }).find((l) => l.msg === 'fixture warning')).toMatchObject({ context: 'Fixture' });
}, 60_000);
