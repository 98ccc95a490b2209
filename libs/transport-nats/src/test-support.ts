/**
 * Helpers for the integration tests: a real nats-server (the shared one on 127.0.0.1:4222, or
 * a private one this process starts and kills), unique namespaces, envelopes, polling.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { Message } from '@tradeloop/contracts';
import { connect, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { AREAS, type Topology } from './streams';
import { NATS_CLIENT_DEFAULTS } from './connection';

export const NATS_URL = process.env['TRADELOOP_TEST_NATS'] ?? '127.0.0.1:4222';
export const NATS_SERVER_BIN = process.env['TRADELOOP_NATS_SERVER_BIN'] ?? '/usr/sbin/nats-server';

let counter = 0;

/** A namespace no other test run on the shared server uses. */
export function uniqueNs(label: string): string {
  counter++;
  return `t${label}${Date.now().toString(36)}${process.pid.toString(36)}${counter}`;
}

export function connectNats(servers: string = NATS_URL, options: Partial<NodeConnectionOptions> = {}): Promise<NatsConnection> {
  return connect({ ...NATS_CLIENT_DEFAULTS, servers, name: 'transport-nats-test', maxReconnectAttempts: -1, reconnectTimeWait: 100, reconnectJitter: 0, ...options });
}

export async function deleteTopology(jsm: JetStreamManager, topo: Topology): Promise<void> {
  for (const area of AREAS) {
    try {
      await jsm.streams.delete(topo.streams[area].name);
    } catch (e) {
      if (!(e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound)) throw e;
    }
  }
}

const T0 = 1_700_000_020_000 - (1_700_000_020_000 % 60_000);

/** A valid 1m bar; `i` spaces bars a minute apart. */
export function bar(i: number, o: { id?: string; account?: string; symbol?: string; venue?: string } = {}): Message<'BarClosed'> {
  const id = o.id ?? `bar-${i}`;
  const openTime = T0 + i * 60_000;
  return {
    id,
    type: 'BarClosed',
    version: 1,
    ts: openTime + 60_000,
    correlationId: id,
    causationId: id,
    account: o.account ?? 'paper',
    source: 'test',
    data: {
      venue: o.venue ?? 'binance',
      symbol: o.symbol ?? 'BTCUSDT',
      timeframe: '1m',
      openTime,
      open: 100 + i,
      high: 101 + i,
      low: 99 + i,
      close: 100.5 + i,
      volume: 10,
    },
  };
}

/** Polls `cond` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Reads the first `count` messages of a stream with an ordered (ephemeral) consumer. */
export async function readStream(js: JetStreamClient, stream: string, count: number, timeoutMs = 15_000): Promise<JsMsg[]> {
  const consumer = await js.consumers.get(stream);
  const messages = await consumer.consume({ max_messages: Math.min(Math.max(count, 1), 1000) });
  const timer = setTimeout(() => void messages.close(), timeoutMs);
  const out: JsMsg[] = [];
  try {
    if (count > 0) {
      for await (const m of messages) {
        out.push(m);
        if (out.length >= count) break;
      }
    }
  } finally {
    clearTimeout(timer);
    await messages.close();
  }
  if (out.length < count) throw new Error(`read ${out.length} of ${count} messages from ${stream} within ${timeoutMs} ms`);
  return out;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A nats-server of our own (never the shared one): loopback only, JetStream on, storage in a
 * temporary directory that outlives kill -9 so a restart recovers the streams.
 */
export class PrivateNatsServer {
  private child: ChildProcess | undefined;
  readonly storeDir: string;

  private constructor(readonly port: number) {
    this.storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradeloop-nats-'));
  }

  static async start(): Promise<PrivateNatsServer> {
    const server = new PrivateNatsServer(await freePort());
    await server.launch();
    return server;
  }

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }

  async launch(): Promise<void> {
    const child = spawn(NATS_SERVER_BIN, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`nats-server did not become ready in 15 s:\n${log}`)), 15_000);
      child.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}:\n${log}`));
      });
    });
  }

  /** SIGKILL: no shutdown, no flush — what a crash or an OOM kill does. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  async dispose(): Promise<void> {
    await this.kill();
    fs.rmSync(this.storeDir, { recursive: true, force: true });
  }
}
