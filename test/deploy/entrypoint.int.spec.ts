/**
 * The image's entrypoint with the Kubernetes pipeline settings starts a real service against
 * the local NATS: what a pod does, minus the container. (Stream replicas are 1 here: the
 * local server is not a cluster.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectNats, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { PIPELINE_SETTINGS } from '../../tools/k8s-manifests';

const REPO = resolve(__dirname, '../..');
const NATS_URL = process.env['TRADELOOP_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
/** The local server has no auth and ignores a token; the service must still never print it. */
const TOKEN = 's3cr3t-t0ken';
const WITH_TOKEN = NATS_URL.replace('nats://', `nats://${TOKEN}@`);

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

async function health(port: number): Promise<{ status: number; body: Record<string, any> } | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/health`);
    return { status: r.status, body: (await r.json()) as Record<string, any> };
  } catch {
    return undefined;
  }
}

let child: ChildProcess | undefined;
const ns = uniqueNs('entry');

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  const nc = await connectNats(NATS_URL);
  const jsm = await jetstreamManager(nc);
  for await (const s of jsm.streams.list()) if (s.config.name.startsWith(`${ns}_`)) await jsm.streams.delete(s.config.name);
  await nc.close();
});

test('entrypoint_when_started_with_the_k8s_pipeline_settings_then_the_service_is_healthy_and_stops_cleanly_on_sigterm', async () => {
  const port = await freePort();
  let output = '';
  child = spawn(resolve(REPO, 'deploy/entrypoint.sh'), [], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...PIPELINE_SETTINGS, NATS_STREAM_REPLICAS: '1', NATS_URL: WITH_TOKEN, NATS_NAMESPACE: ns, HTTP_PORT: String(port), TRADELOOP_SERVICE: 'rl-decision' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));

  let h: Awaited<ReturnType<typeof health>>;
  for (let waited = 0; waited < 60_000; waited += 250) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}):\n${output}`);
    h = await health(port);
    if (h?.status === 200 && h.body.worker?.state === 'running') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(h!).toMatchObject({ status: 200, body: { service: 'rl-decision', status: 'ok', worker: { state: 'running', inbox: `${ns}_IN_RL_DECISION` } } });
  // The start log names NATS without its token, and says the service consumes.
  expect(output).toContain('"msg":"consuming"');
  expect(output).toContain(`"nats":"${WITH_TOKEN.replace(TOKEN, '***')}"`);
  expect(output).not.toContain(TOKEN);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 90_000);
