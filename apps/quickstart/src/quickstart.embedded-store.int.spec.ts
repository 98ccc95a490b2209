/**
 * npm start on a machine with NATS but without PostgreSQL: the embedded PGlite store is kept
 * with the namespace's streams (the services resume from them and do not project again), and
 * holds no other run's read models — not an in-process run's, not another namespace's.
 */
import { readFileSync, rmSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, freePort, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { startQuickstart, type Quickstart, type QuickstartOptions } from './quickstart';
import { bundledDataHead, call, tempStateDir } from './quickstart.test-support';

let nc: NatsConnection;
let stateDir: string;
let dataFile: string;
let unreachablePostgres: string;
let qs: Quickstart | undefined;
const namespaces: string[] = [];

beforeAll(async () => {
  nc = await connectNats();
  stateDir = tempStateDir('embedded');
  dataFile = bundledDataHead(stateDir, 2_000);
  unreachablePostgres = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
});

afterEach(async () => {
  await qs?.close();
  qs = undefined;
});

afterAll(async () => {
  const jsm = await jetstreamManager(nc);
  for (const ns of namespaces) {
    await deleteTopology(jsm, topology({ ns }));
    for await (const name of jsm.streams.names()) if (name.startsWith(`${ns}_IN_`)) await jsm.streams.delete(name);
  }
  await nc.close();
  rmSync(stateDir, { recursive: true, force: true });
}, 30_000);

/** On NATS when `ns` is given, else in-process; PostgreSQL never answers, so the store is always the embedded one. */
function options(env: Record<string, string>, printed: string[], ns?: string): QuickstartOptions {
  return {
    env: { HTTP_PORT: '0', LOG_LEVEL: 'warn', ...(ns !== undefined && { NATS_URL: 'nats://127.0.0.1:4222', NATS_NAMESPACE: ns }), ...env },
    ...(ns === undefined && { defaultNatsUrl: `nats://127.0.0.1:1` }),
    defaultDatabaseUrl: unreachablePostgres,
    stateDir,
    dataFile,
    print: (line) => printed.push(line),
    summaryEveryMs: 60_000,
  };
}

const key = (): string => readFileSync(`${stateDir}/api-key`, 'utf8').trim();

test('embedded_store_when_an_in_process_run_filled_it_and_nats_answers_now_then_the_new_namespace_starts_with_an_empty_store', async () => {
  // First without NATS: the in-process run trades and leaves its read models in the embedded store.
  qs = await startQuickstart(options({ MARKET_DATA_SPEED: '0', STARTING_CASH: '50000' }, []));
  expect(qs.bus).toBe('in-process');
  const inProcess = await qs.done;
  expect(inProcess.stats.fills).toBeGreaterThan(0);
  await qs.close();

  // Then NATS runs: a new namespace, whose services have done nothing yet (a bar every 10 s).
  const ns = uniqueNs('qsembedded');
  namespaces.push(ns);
  const printed: string[] = [];
  qs = await startQuickstart(options({ MARKET_DATA_SPEED: '6' }, printed, ns));
  expect([qs.bus, qs.store]).toEqual(['nats', 'pglite']);
  const fills = await call(qs.url, 'GET', '/v1/fills?limit=5', key());
  expect(fills.body.items).toEqual([]);
  // The balance is the one its executor started with (STARTING_CASH's default), not the in-process run's.
  const status = await call(qs.url, 'GET', '/v1/status', key());
  expect(status.body.balance).toMatchObject({ currency: 'USD', cash: '100000.00', source: 'start' });
  await qs.close();

  // Started again on that namespace: the store is the one kept with its streams (the same key works).
  const keyBefore = key();
  const again: string[] = [];
  qs = await startQuickstart(options({ MARKET_DATA_SPEED: '6' }, again, ns));
  expect(again).toContainEqual(expect.stringMatching(/^ {2}API key +.* \(admin; mode 0600;/));
  expect(key()).toBe(keyBefore);
  expect(again.filter((l) => l.includes('emptied'))).toEqual([]);
  await qs.close();

  // A store that does not say which streams it was kept with (deleted record, an older version)
  // is emptied, and the start says what is missing from it.
  rmSync(`${stateDir}/pglite-streams`);
  const third: string[] = [];
  qs = await startQuickstart(options({ MARKET_DATA_SPEED: '6' }, third, ns));
  expect(third).toContainEqual(expect.stringMatching(/^ {2}note +the embedded store held the read models of other streams .* and was emptied: this namespace's earlier orders, fills and positions are not in it/));
  expect(key()).not.toBe(keyBefore);
}, 90_000);
