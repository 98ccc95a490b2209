/**
 * Chaos (issue 3): while real bars of three markets stream through the services (separate
 * processes, a private nats-server, the real PostgreSQL), `kill -9` the executor and the risk
 * service at random moments, five times each, restarting them; restart NATS itself mid-run.
 * Afterwards every invariant holds: no order lost or doubled, positions = fills, cash conserved.
 */
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { seedPrng, nextFloat } from '@tradeloop/kernel';
import { mergeByTime, readMarketDataFile } from '@tradeloop/market-data';
import type { Message } from '@tradeloop/contracts';
import { JetStreamPublisher, topology, type Topology } from '@tradeloop/transport-nats';
import { PrivateNatsServer, connectNats } from '@tradeloop/transport-nats/src/test-support';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { DATA, DATABASE_URL, ServiceFleet, settle, sleep } from './services';
import { checkInvariants } from './invariants';
import { main } from '../../apps/cli/src/main';

const SERVICES = ['scanner', 'rl-decision', 'risk', 'governor', 'executor', 'learning'];
const FILES = ['forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', 'forex/EURUSD_FXCM_1m_quotebars_2014-05-01_2014-05-15.csv'];
const STARTING_CASH = '100000';
const KILLS_EACH = Number(process.env['CHAOS_KILLS'] ?? 5);

let nats: PrivateNatsServer;
let nc: NatsConnection;
let topo: Topology;
let fleet: ServiceFleet;
let pg: Client;
const schema = `chaos_${Date.now().toString(36)}_${process.pid}`;
const log: string[] = [];
const trace = (line: string): void => {
  if (process.env['CHAOS_TRACE']) appendFileSync(process.env['CHAOS_TRACE'], `${new Date().toISOString()} ${line}\n`);
};

beforeAll(async () => {
  nats = await PrivateNatsServer.start();
  nc = await connectNats(nats.url);
  topo = topology({ ns: 'chaos' });
  pg = new Client({ connectionString: DATABASE_URL });
  await pg.connect();
  fleet = new ServiceFleet(
    {
      NATS_URL: `nats://${nats.url}`,
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      NATS_NAMESPACE: topo.ns,
      EXECUTION_MODE: 'fully_automated',
      STARTING_CASH,
      FEE_BPS: '0.5',
      SLIPPAGE_BPS: '0.5',
      LOG_LEVEL: 'warn',
    },
    SERVICES,
  );
  await fleet.startAll();
}, 180_000);

afterAll(async () => {
  await fleet?.stopAll();
  await nc?.close().catch(() => undefined);
  await nats?.dispose();
  await pg?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pg?.end();
}, 60_000);

/** Publishes one batch, retrying with the same Nats-Msg-Id while NATS is down (stored once). */
async function publish(pub: JetStreamPublisher, batch: readonly Message<'BarClosed'>[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await pub.publishBatch(batch);
      return;
    } catch (e) {
      if (attempt > 200) throw e;
      await sleep(100);
    }
  }
}

test('chaos_when_executor_and_risk_are_killed_repeatedly_and_nats_restarts_then_no_order_is_lost_or_doubled', async () => {
  const bars = mergeByTime(...FILES.map((f) => readMarketDataFile(resolve(DATA, f), {}).bars));
  const pub = new JetStreamPublisher(jetstream(nc), topo);
  let fed = 0;
  let feeding = true;
  const feed = (async () => {
    // Every 90 bars of the merged feed, one batch per market (a batch holds one venue/symbol).
    for (let i = 0; i < bars.length; i += 90) {
      const byMarket = new Map<string, Message<'BarClosed'>[]>();
      for (const b of bars.slice(i, i + 90)) {
        const key = `${b.data.venue}|${b.data.symbol}`;
        byMarket.set(key, [...(byMarket.get(key) ?? []), b]);
      }
      for (const batch of byMarket.values()) await publish(pub, batch);
      fed = i + 90;
      if (i % 4500 === 0) trace(`fed ${fed}`);
      await sleep(60);
    }
    feeding = false;
  })();

  // The chaos: alternate kill -9 of executor and risk at seeded random moments, and one NATS restart.
  const rng = seedPrng(20261122);
  let natsRestarted = false;
  for (let k = 0; k < 2 * KILLS_EACH; k++) {
    await sleep(1_000 + nextFloat(rng) * 3_000);
    const victim = k % 2 === 0 ? 'executor' : 'risk';
    log.push(`kill -9 ${victim} at bar ${fed}`);
    trace(log[log.length - 1]);
    await fleet.crashAndRestart(victim);
    trace(`${victim} healthy again`);
    if (!natsRestarted && k === 5) {
      log.push(`NATS restart at bar ${fed}`);
      await nats.kill();
      await sleep(1_500);
      // While the server is gone, /health says so (the client is reconnecting, not closed).
      const down = await fleet.health('governor');
      log.push(`governor /health with NATS down: ${down.status} nats.ok=${String(down.body?.nats?.ok)}`);
      expect([down.status, down.body?.nats?.ok]).toEqual([503, false]);
      await nats.launch();
      natsRestarted = true;
    }
  }
  await feed;
  expect(feeding).toBe(false);
  await settle(fleet, nc, topo, { timeoutMs: 240_000, onPoll: trace });

  if (process.env['CHAOS_TRACE']) {
    const { allMessages } = await import('./invariants');
    const { readStream } = await import('@tradeloop/transport-nats/src/test-support');
    const decs = await allMessages(nc, topo, 'DEC');
    const exe = await allMessages(nc, topo, 'EXE');
    const jsm = await jetstreamManager(nc);
    const n = (await jsm.streams.info('chaos_IN_EXECUTOR')).state.messages;
    const inbox = (await readStream(jetstream(nc), 'chaos_IN_EXECUTOR', n, 60_000)).filter((m) => !m.subject.includes('md.batch')).map((m) => ({ seq: m.seq, e: m.json<any>() }));
    const submittedFor = new Set(exe.filter((m) => m.type === 'OrderSubmitted').map((m: any) => m.data.approvedOrderId));
    for (const a of decs.filter((m) => m.type === 'OrderApproved' && !submittedFor.has(m.id))) {
      const inInbox = inbox.find((x) => x.e.id === a.id);
      trace(`MISSING submit for approval ${a.id} ts ${a.ts} corr ${a.correlationId}; in executor inbox: ${inInbox ? 'seq ' + inInbox.seq : 'NO'}; exe msgs with corr: ${exe.filter((m) => m.correlationId === a.correlationId).map((m) => m.type).join(',')}`);
      const ci = await jsm.consumers.info('chaos_IN_EXECUTOR', 'executor');
      trace(`executor consumer ack floor ${ci.ack_floor.stream_seq} delivered ${ci.delivered.stream_seq} pending ${ci.num_pending}`);
    }
    trace(`log: ${log.join('; ')}`);
    const dlqN = (await jsm.streams.info(topo.streams.DLQ.name)).state.messages;
    if (dlqN > 0) for (const m of await readStream(jetstream(nc), topo.streams.DLQ.name, dlqN)) trace(`DLQ ${m.string().slice(0, 600)}`);
    const seq27 = inbox.find((x) => x.e.type === 'OrderApproved');
    trace(`first approval in inbox: seq ${seq27?.seq} id ${seq27?.e.id}`);
  }
  const facts = await checkInvariants({ nc, topo, pg, schema, startingCash: STARTING_CASH });
  process.stdout.write(`chaos: ${JSON.stringify(facts)}; ${log.join('; ')}\n`);
  expect(facts.signals).toBeGreaterThanOrEqual(1_000);
  expect(facts.approved).toBeGreaterThan(20);
  expect(facts.fills).toBeGreaterThan(10);
  expect(fleet.procs.get('executor')!.starts).toBe(1 + KILLS_EACH);
  expect(fleet.procs.get('risk')!.starts).toBe(1 + KILLS_EACH);
  expect(natsRestarted).toBe(true);
  // Each restart rebuilt its state from the inbox and reconciled with the broker without finding strays.
  const h = await fleet.health('executor');
  expect(h.body.worker.rebuilt).toBeGreaterThan(0);
  expect(h.body.worker.reconciliation).toMatchObject({ unknownToExecutor: [], missingAtBroker: [] });
  // Audit (DESIGN §7.6): each killed service's decider, re-run over its inbox under the
  // configuration of each of its starts, reproduces every output it published, byte for byte.
  for (const service of ['executor', 'risk']) {
    let out = '';
    const code = await main(['node', 'tradeloop', 'replay', '--service', service, '--nats', `nats://${nats.url}`, '--namespace', topo.ns], {
      out: (t) => void (out += t),
      err: (t) => void (out += t),
      isTty: false,
    });
    trace(out.trim());
    expect({ service, code }).toEqual({ service, code: 0 });
    // One configuration per start, except a start that handled nothing before the next kill (same record).
    const starts = Number(/(\d+) configuration\(s\) recorded/.exec(out)?.[1]);
    expect(starts).toBeGreaterThan(1);
    expect(starts).toBeLessThanOrEqual(1 + KILLS_EACH);
    expect(out).toMatch(/replay identical: [1-9]\d* outputs of \d+ inbox messages, byte for byte/);
  }
}, 600_000);
