/** Shared set-up of the quickstart's integration tests. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@tradeloop/transport-nats/src/test-support';
import { BUNDLED_DATA_FILE } from './settings';

/** A state folder of the test's own, so a test never touches the developer's `.tradeloop`. */
export function tempStateDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `tradeloop-qs-${label}-`));
}

/**
 * The first `bars` bars of the bundled file, in a file named like it (the name gives symbol and
 * venue): paced NATS runs over the whole file would not fit a test's time budget.
 */
export function bundledDataHead(dir: string, bars: number): string {
  const lines = readFileSync(BUNDLED_DATA_FILE, 'utf8').split('\n');
  const file = join(dir, 'EURUSD_OANDA_1m_quotebars_head.csv');
  writeFileSync(file, `${lines.slice(0, bars + 1).join('\n')}\n`);
  return file;
}

export interface HttpResult {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON of any route; each test asserts the shape it expects
  readonly body: any;
  readonly text: string;
}

export async function call(baseUrl: string, method: string, path: string, key?: string, body?: unknown): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (key !== undefined) headers['authorization'] = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

/** Polls until `cond` holds; fails naming `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T>, cond: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (cond(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Default addresses where nothing listens, so the quickstart falls back to the in-process bus and
 * the embedded store whatever runs on this machine.
 */
export async function inProcessDefaults(): Promise<{ readonly defaultNatsUrl: string; readonly defaultDatabaseUrl: string }> {
  return {
    defaultNatsUrl: `nats://127.0.0.1:${await freePort()}`,
    defaultDatabaseUrl: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`,
  };
}
