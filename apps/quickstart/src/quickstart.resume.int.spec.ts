/**
 * npm start again on a namespace that already holds market data: the feed goes on after what the
 * MD stream holds of the market, by the market-data service's rules (resumeFeed), and refuses to
 * mix another recording of the market into the stream (real NATS and PostgreSQL).
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { JetStreamPublisher, decodeBatch, ensureTopology, readStoredMessages, topology, type Topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { TEST_DATABASE_URL, testSchemaName } from '@tradeloop/persistence/src/persistence.test-support';
import { fileSource, runFeed, systemClock } from '@tradeloop/market-data-app';
import { readMarketDataFile } from '@tradeloop/market-data';
import { QuickstartError, startQuickstart, type QuickstartOptions } from './quickstart';
import { bundledDataHead, eventually, tempStateDir } from './quickstart.test-support';
import { REPO_ROOT } from './settings';
import { utcMinute } from './summary';

const SHARED_DATA = resolve(REPO_ROOT, '../shared/data');
/** Another recording of the quickstart's market (EURUSD@OANDA): hourly bars of 2017-2018. */
const OTHER_FILE = 'forex/EURUSD_OANDA_1h_quotebars_2017-01-01_2018-12-31.csv';
const BARS = 600;

let nc: NatsConnection;
let jsm: JetStreamManager;
let pg: Client;
const namespaces: string[] = [];
const schemas: string[] = [];
const stateDirs: string[] = [];

beforeAll(async () => {
  nc = await connectNats();
  jsm = await jetstreamManager(nc);
  pg = new Client({ connectionString: TEST_DATABASE_URL });
  await pg.connect();
});

afterAll(async () => {
  for (const ns of namespaces) {
    await deleteTopology(jsm, topology({ ns }));
    for await (const name of jsm.streams.names()) if (name.startsWith(`${ns}_IN_`)) await jsm.streams.delete(name);
  }
  for (const schema of schemas) await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pg?.end();
  await nc?.close();
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
}, 30_000);

function setUp(label: string): { ns: string; options: (print: string[]) => QuickstartOptions } {
  const ns = uniqueNs(label);
  const schema = testSchemaName();
  const stateDir = tempStateDir(label);
  namespaces.push(ns);
  schemas.push(schema);
  stateDirs.push(stateDir);
  const dataFile = bundledDataHead(stateDir, BARS);
  return {
    ns,
    options: (print) => ({
      env: { NATS_URL: 'nats://127.0.0.1:4222', NATS_NAMESPACE: ns, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, HTTP_PORT: '0', MARKET_DATA_SPEED: '6000', APPROVAL_TTL_MS: '240000', LOG_LEVEL: 'warn' },
      stateDir,
      dataFile,
      print: (line) => print.push(line),
      summaryEveryMs: 60_000,
    }),
  };
}

const streamNames = async (prefix: string): Promise<string[]> => {
  const names: string[] = [];
  for await (const name of jsm.streams.names()) if (name.startsWith(prefix)) names.push(name);
  return names;
};

/** Every market-data message the namespace's MD stream holds, in stream order. */
async function storedBars(topo: Topology): Promise<{ id: string; ts: number }[]> {
  const stored = await readStoredMessages(jetstream(nc), jsm, topo.streams.MD.name, { filter: `${topo.ns}.md.batch.>` });
  return stored.flatMap((m) => {
    const batch = decodeBatch(m.data);
    if (!batch.ok) throw new Error(`not a batch: ${m.subject} #${m.seq}`);
    return batch.value.messages.map((b) => ({ id: b.id, ts: b.ts }));
  });
}

test('given_the_namespace_holds_another_recording_of_the_market_when_started_then_refuses_naming_the_market_and_the_remedy_and_publishes_nothing', async () => {
  const { ns, options } = setUp('qsother');
  const topo = topology({ ns });
  // What the market-data service stores when it played the hourly 2017-2018 file on this namespace.
  await ensureTopology(jsm, topo);
  const other = fileSource([OTHER_FILE], { dataDir: SHARED_DATA, to: Date.UTC(2017, 0, 10) });
  await runFeed(other, { publisher: new JetStreamPublisher(jetstream(nc), topo), clock: systemClock(), speed: 0 });
  const before = await storedBars(topo);
  expect(before.length).toBeGreaterThan(100);

  const printed: string[] = [];
  const error = await startQuickstart(options(printed)).then(
    async (qs) => {
      await qs.close();
      return new Error(`started, but should have refused: ${printed.join('\n')}`);
    },
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(QuickstartError);
  expect(error.message).toMatch(new RegExp(`^EURUSD@OANDA: the MD stream already holds this market up to ${new Date(before[before.length - 1].ts).toISOString()}`));
  expect(error.message).toContain(`NATS_NAMESPACE of its own`);
  expect(error.message).toContain(`nats stream purge ${ns}_MD --subject ${ns}.md.batch.OANDA.EURUSD`);
  // Nothing was added to the stream, and no service started on the other recording's bars.
  expect(await storedBars(topo)).toEqual(before);
  expect(await streamNames(`${ns}_IN_`)).toEqual([]);
}, 40_000);

test('given_a_run_stopped_mid_file_when_started_again_then_the_feed_goes_on_after_its_last_stored_bar_and_every_bar_is_stored_once', async () => {
  const { ns, options } = setUp('qsresume');
  const topo = topology({ ns });
  const first = await startQuickstart(options([]));
  await eventually('a third of the bars fed', async () => first.summary().bars, (n) => n >= BARS / 3, 30_000);
  await first.close();
  const stored = await storedBars(topo);
  expect(stored.length).toBeGreaterThan(0);
  expect(stored.length).toBeLessThan(BARS);

  const printed: string[] = [];
  const again = await startQuickstart(options(printed));
  const final = await again.done;
  await again.close();
  expect(printed).toContainEqual(expect.stringMatching(new RegExp(`^ {2}note +.*the replay goes on after ${utcMinute(stored[stored.length - 1].ts)}, its last bar there`)));
  expect(final.bars).toBe(BARS);
  const bars = readMarketDataFile(resolve(options([]).dataFile!), { barTimestamp: 'open', aggregate: '1m' }).bars;
  expect((await storedBars(topo)).map((b) => b.id)).toEqual(bars.map((b) => b.id));
}, 60_000);

test('given_the_store_holds_another_runs_read_models_when_a_new_namespace_starts_then_a_note_says_the_api_shows_them_and_names_DATABASE_SCHEMA', async () => {
  const { options } = setUp('qsstore');
  // An in-process run (no NATS) with the same PostgreSQL schema trades first.
  const inProcess = options([]);
  const { NATS_URL: _nats, ...env } = inProcess.env!;
  const first = await startQuickstart({ ...inProcess, env: { ...env, MARKET_DATA_SPEED: '0', STARTING_CASH: '50000' }, defaultNatsUrl: 'nats://127.0.0.1:1' });
  expect(first.bus).toBe('in-process');
  expect((await first.done).stats.fills).toBeGreaterThan(0);
  await first.close();

  // Then on NATS, a namespace of its own: its services start afresh, the store does not.
  const printed: string[] = [];
  const second = await startQuickstart({ ...options(printed), env: { ...inProcess.env, MARKET_DATA_SPEED: '6' } });
  await second.close();
  expect(second.bus).toBe('nats');
  expect(printed).toContainEqual(
    expect.stringMatching(/^ {2}note +the store holds read models of other runs .*: the API shows their orders, fills, positions and balance with this run's \(DATABASE_SCHEMA=<new schema> for an empty store\)$/),
  );
}, 60_000);
