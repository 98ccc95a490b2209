/**
 * Crash safety of the learning service: the service as its own OS process on the real NATS
 * JetStream and PostgreSQL of this machine (a namespace and a schema of its own), fed the
 * decision chains and closed positions of a real two-market backtest while it is killed with
 * SIGKILL three times. Afterwards the experience store and the published parameter tables are
 * exactly those of the same backtest's uninterrupted in-process learning: no experience lost or
 * doubled, parameter versions 1, 2, 3, … without a gap or a repeat.
 */
import { resolve } from 'node:path';
import { Client } from 'pg';
import type { Envelope } from '@tradeloop/kernel';
import { createLearning } from '@tradeloop/learning';
import { mergeByTime, readMarketDataFile } from '@tradeloop/market-data';
import { parseEventLog, pipelineConfig, runBacktest } from '@tradeloop/runtime';
import { JetStreamPublisher, topology, type Topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { DATA, DATABASE_URL, NATS_URL, ServiceFleet, sleep } from './services';
import { allMessages } from './invariants';

const FILES = ['forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'];
const KILLS = 3;

let nc: NatsConnection;
let jsm: JetStreamManager;
let topo: Topology;
let fleet: ServiceFleet | undefined;
let pg: Client;
const schema = `lrn_crash_${Date.now().toString(36)}_${process.pid}`;

beforeAll(async () => {
  nc = await connectNats();
  jsm = await jetstreamManager(nc);
  topo = topology({ ns: uniqueNs('lrncrash') });
  pg = new Client({ connectionString: DATABASE_URL });
  await pg.connect();
}, 30_000);

afterAll(async () => {
  await fleet?.stopAll();
  if (jsm) {
    await deleteTopology(jsm, topo);
    await jsm.streams.delete(`${topo.ns}_IN_LEARNING`).catch(() => undefined);
  }
  await pg?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pg?.end();
  await nc?.close();
}, 30_000);

async function storedExperiences(): Promise<number> {
  const r = await pg.query(`SELECT count(*)::int AS n FROM "${schema}".trade_experiences`).catch(() => ({ rows: [{ n: 0 }] }));
  return r.rows[0].n as number;
}

test('learning_when_killed_with_sigkill_while_positions_close_then_the_store_and_the_tables_equal_an_uninterrupted_run', async () => {
  // The uninterrupted run: the whole pipeline in process over two markets (fees, slippage and
  // approvals that expire, so every part of an experience is there).
  const bars = mergeByTime(...FILES.map((f) => readMarketDataFile(resolve(DATA, f), {}).bars));
  const run = runBacktest({ bars, files: [] }, pipelineConfig({ mode: 'quality_based', feeBps: 0.5, slippageBps: 0.5 }));
  const log = parseEventLog(run.eventLog.text(), 'events.ndjson') as Envelope<string, any>[];
  const consumes = new Set<string>(createLearning().consumes);
  const inputs = log.filter((e) => consumes.has(e.type));
  const experiences = log.filter((e) => e.type === 'ExperienceRecorded');
  const tables = log.filter((e) => e.type === 'LearnedParametersPublished');
  expect(experiences.length).toBeGreaterThan(40);

  fleet = new ServiceFleet({ NATS_URL, DATABASE_URL, DATABASE_SCHEMA: schema, NATS_NAMESPACE: topo.ns, LOG_LEVEL: 'warn' }, ['learning']);
  await fleet.startAll();
  const learning = fleet.procs.get('learning')!;

  // The inputs in the run's order, in steps of 40 every 150 ms (about 8 s in all). They reach
  // the inbox from three streams; before each close, the inbox is let hold everything before
  // it, so that every close meets its whole decision chain as in the in-process run.
  const pub = new JetStreamPublisher(jetstream(nc), topo);
  const inbox = `${topo.ns}_IN_LEARNING`;
  const feed = (async () => {
    for (let i = 0; i < inputs.length; i += 40) {
      for (let j = i; j < Math.min(i + 40, inputs.length); j++) {
        if (inputs[j].type === 'PositionClosed') {
          while ((await jsm.streams.info(inbox)).state.messages < j) await sleep(2);
        }
        await pub.publish(inputs[j]);
      }
      await sleep(150);
    }
  })();

  // Each kill as soon as the store has grown past its mark: while learning is busy handling
  // closes (catching up after the previous restart, or keeping pace with the feed).
  const kills: string[] = [];
  for (let k = 1; k <= KILLS; k++) {
    const mark = Math.floor((k * experiences.length) / (KILLS + 1));
    for (let n = await storedExperiences(); n < mark; n = await storedExperiences()) {
      if (learning.child.exitCode !== null) throw new Error(`learning exited:\n${learning.output}`);
      await sleep(15);
    }
    kills.push(`kill -9 at ${await storedExperiences()} experiences`);
    await fleet.crashAndRestart('learning');
  }
  await feed;

  const deadline = Date.now() + 30_000;
  while ((await storedExperiences()) < experiences.length || (await fleet.totalLag()) !== 0) {
    if (Date.now() > deadline) throw new Error(`learning did not catch up: ${await storedExperiences()} experiences stored; ${kills.join('; ')}\n${learning.output}`);
    await sleep(100);
  }
  expect(learning.starts).toBe(1 + KILLS);

  // The store: one row per closed position, each the uninterrupted run's experience, byte for byte.
  const rows = await pg.query(`SELECT experience_id, position_id, payload FROM "${schema}".trade_experiences ORDER BY closed_at, experience_id`);
  const want = [...experiences].sort((a, b) => a.data.closedAt - b.data.closedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  expect(rows.rows.map((r) => r.experience_id)).toEqual(want.map((e) => e.id));
  expect(rows.rows.map((r) => r.payload)).toEqual(want.map((e) => e.data));

  // The stream: every experience and every table once, the tables numbered 1..n without a gap.
  const lrn = await allMessages(nc, topo, 'LRN');
  const published = lrn.filter((m) => m.type === 'LearnedParametersPublished');
  expect(published.map((m) => m.data.paramsVersion)).toEqual(tables.map((_, i) => i + 1));
  expect(published).toEqual(tables);
  expect(lrn.filter((m) => m.type === 'ExperienceRecorded')).toEqual(experiences);
  process.stdout.write(`learning crash: ${experiences.length} experiences, ${inputs.length} inputs; ${kills.join('; ')}\n`);
}, 60_000);
