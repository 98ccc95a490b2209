/**
 * Test support for end-to-end and chaos tests: the real services as separate OS processes
 * (`node -r @swc-node/register apps/<svc>/src/main.ts`), against the real NATS and PostgreSQL
 * of this machine, isolated by a NATS namespace and a PostgreSQL schema.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from '@tradeloop/transport-nats/src/test-support';
import type { Topology } from '@tradeloop/transport-nats';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';

export const REPO = resolve(__dirname, '../..');
export const DATA = resolve(REPO, '../shared/data');
export const DATABASE_URL = process.env['TRADELOOP_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const NATS_URL = process.env['TRADELOOP_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

export interface ServiceProcess {
  readonly name: string;
  readonly port: number;
  child: ChildProcess;
  output: string;
  starts: number;
}

export class ServiceFleet {
  readonly procs = new Map<string, ServiceProcess>();

  constructor(
    readonly env: Record<string, string>,
    private readonly names: readonly string[],
  ) {}

  async startAll(): Promise<void> {
    for (const name of this.names) this.procs.set(name, { name, port: await freePort(), child: undefined as never, output: '', starts: 0 });
    for (const p of this.procs.values()) this.spawn(p);
    await Promise.all([...this.procs.values()].map((p) => this.waitHealthy(p.name)));
  }

  private spawn(p: ServiceProcess): void {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(REPO, `apps/${p.name}/src/main.ts`)], {
      cwd: REPO,
      env: { ...process.env, ...this.env, HTTP_PORT: String(p.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer): void => {
      p.output = (p.output + b.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    p.child = child;
    p.starts++;
  }

  async health(name: string): Promise<{ status: number; body: any }> {
    const p = this.procs.get(name)!;
    try {
      const res = await fetch(`http://127.0.0.1:${p.port}/health`, { signal: AbortSignal.timeout(3_000) });
      return { status: res.status, body: await res.json() };
    } catch (e) {
      return { status: 0, body: { error: String(e) } };
    }
  }

  async waitHealthy(name: string, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const h = await this.health(name);
      if (h.status === 200 && h.body.worker?.state !== 'rebuilding') return;
      const p = this.procs.get(name)!;
      if (p.child.exitCode !== null) throw new Error(`${name} exited with ${p.child.exitCode}:\n${p.output}`);
      if (Date.now() > deadline) throw new Error(`${name} not healthy after ${timeoutMs} ms: ${JSON.stringify(h.body)}\n${p.output}`);
      await sleep(200);
    }
  }

  /** kill -9 (or another signal: SIGTERM stops it cleanly), then start it again and wait until it is healthy. */
  async crashAndRestart(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.procs.get(name)!;
    const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
    p.child.kill(signal);
    await exited;
    this.spawn(p);
    await this.waitHealthy(name);
  }

  /** Sum of every service's inbox lag; -1 if a service did not answer. */
  async totalLag(): Promise<number> {
    let sum = 0;
    for (const name of this.procs.keys()) {
      const h = await this.health(name);
      if (h.status === 200 && h.body.worker === undefined) continue; // the gateway consumes nothing
      const lag = h.body.worker?.lag;
      if (h.status !== 200 || typeof lag !== 'number' || lag < 0) return -1;
      sum += lag;
    }
    return sum;
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.procs.values()].map(
        (p) =>
          new Promise<void>((r) => {
            if (p.child.exitCode !== null || p.child.signalCode !== null) return r();
            const t = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
            p.child.once('exit', () => {
              clearTimeout(t);
              r();
            });
            p.child.kill('SIGTERM');
          }),
      ),
    );
  }
}

/**
 * Waits until the run is quiet: every inbox drained and no event stream grew over three polls.
 * On timeout the error carries each service's /health and the tail of its output.
 */
export async function settle(fleet: ServiceFleet, nc: NatsConnection, topo: Topology, options: { timeoutMs?: number; onPoll?: (line: string) => void } = {}): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let last = '';
  let stable = 0;
  while (Date.now() < deadline) {
    const lag = await fleet.totalLag();
    const counts: number[] = [];
    for (const area of ['SIG', 'DEC', 'EXE', 'LRN', 'SYS'] as const) counts.push((await jsm.streams.info(topo.streams[area].name)).state.messages);
    const totals = counts.join(',');
    stable = lag === 0 && totals === last ? stable + 1 : 0;
    options.onPoll?.(`settle lag ${lag} totals ${totals}`);
    if (stable >= 3) return;
    last = totals;
    await sleep(400);
  }
  const detail: string[] = [];
  for (const name of fleet.procs.keys()) detail.push(`${name}: ${JSON.stringify((await fleet.health(name)).body)}\n${fleet.procs.get(name)!.output.slice(-1500)}`);
  throw new Error(`pipeline did not settle (streams ${last}):\n${detail.join('\n')}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
