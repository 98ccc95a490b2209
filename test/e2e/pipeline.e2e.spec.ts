import { getPriority } from 'node:os';
/**
 * End to end (issue 3): the pipeline services as separate processes on the real NATS JetStream
 * and PostgreSQL of this machine; real EURUSD bars streamed in as market-data batches. Checks,
 * in the streams and in PostgreSQL, that every approved order produced exactly one broker order,
 * positions equal the sum of fills, and cash is conserved.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import type { Envelope } from '@tradeloop/kernel';
import { createApiKey, createDataSource } from '@tradeloop/persistence';
import { readMarketDataFile } from '@tradeloop/market-data';
import { JetStreamPublisher, topology, type Topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { DATA, DATABASE_URL, NATS_URL, ServiceFleet, settle, sleep } from './services';
import { allMessages as readAll, checkInvariants } from './invariants';
import { main } from '../../apps/cli/src/main';

const SERVICES = ['scanner', 'rl-decision', 'risk', 'governor', 'executor', 'learning', 'notifier', 'gateway'];
const BARS = readMarketDataFile(resolve(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'), {}).bars.slice(0, 5_000);
const STARTING_CASH = '100000';

let nc: NatsConnection;
let jsm: JetStreamManager;
let topo: Topology;
let fleet: ServiceFleet;
let pg: Client;
const schema = `e2e_${Date.now().toString(36)}_${process.pid}`;

function allMessages(area: keyof Topology['streams']): Promise<Envelope[]> {
  return readAll(nc, topo, area);
}

beforeAll(async () => {
  nc = await connectNats();
  jsm = await jetstreamManager(nc);
  topo = topology({ ns: uniqueNs('e2e') });
  pg = new Client({ connectionString: DATABASE_URL });
  await pg.connect();
  fleet = new ServiceFleet(
    {
      NATS_URL,
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      NATS_NAMESPACE: topo.ns,
      EXECUTION_MODE: 'fully_automated',
      STARTING_CASH,
      ACCOUNT_CURRENCY: 'USD',
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
  if (jsm) {
    await deleteTopology(jsm, topo);
    for (const s of SERVICES.filter((x) => x !== 'gateway')) await jsm.streams.delete(`${topo.ns}_IN_${s.toUpperCase().replace(/-/g, '_')}`).catch(() => undefined);
  }
  await pg?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pg?.end();
  await nc?.close();
}, 60_000);

test('e2e_when_real_bars_stream_through_the_services_then_orders_positions_and_cash_are_consistent', async () => {
  // The feed: a live-like pace (10-bar batches, ~250 bars/s), so decisions reach risk and the
  // executor while the bars they were made on are still recent.
  const pub = new JetStreamPublisher(jetstream(nc), topo);
  for (let i = 0; i < BARS.length; i += 10) {
    await pub.publishBatch(BARS.slice(i, i + 10));
    await sleep(40);
  }
  await pub.flush();
  await settle(fleet, nc, topo);

  const facts = await checkInvariants({ nc, topo, pg, schema, startingCash: STARTING_CASH });
  expect(facts.signals).toBeGreaterThan(20);
  expect(facts.approved).toBeGreaterThan(3);
  expect(facts.fills).toBeGreaterThan(0);

  // Every service is healthy and exposes its metrics.
  for (const name of SERVICES) expect((await fleet.health(name)).status).toBe(200);
  // Learning and the notifier are off the order path: they run at a lower CPU priority.
  const nice = (name: string): number => getPriority(fleet.procs.get(name)!.child.pid!);
  expect(SERVICES.map((s) => [s, nice(s)])).toEqual(SERVICES.map((s) => [s, s === 'learning' || s === 'notifier' ? 10 : 0]));
  const exec = fleet.procs.get('executor')!;
  const metrics = await (await fetch(`http://127.0.0.1:${exec.port}/metrics`)).text();
  expect(metrics).toMatch(/tradeloop_fills_total\{service="executor",symbol="EURUSD",side="(buy|sell)"\} \d+/);
}, 300_000);

test('e2e_when_an_admin_halts_trading_through_the_gateway_then_the_governor_halts_and_the_read_model_says_so', async () => {
  const ds = createDataSource({ url: DATABASE_URL, schema });
  await ds.initialize();
  const admin = await createApiKey(ds, { name: 'e2e-admin', scopes: ['admin'] });
  const reader = await createApiKey(ds, { name: 'e2e-reader', scopes: ['read'] });
  await ds.destroy();
  const base = `http://127.0.0.1:${fleet.procs.get('gateway')!.port}`;
  const post = (path: string, key: string, body: unknown): Promise<Response> =>
    fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const denied = await post('/v1/trading/halt', reader.key, { reason: 'no scope' });
  expect(denied.status).toBe(403);
  const bad = await post('/v1/trading/halt', admin.key, { reason: 42, extra: true });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { fields: { field: string }[] }).fields.map((f) => f.field).sort()).toEqual(['extra', 'reason']);

  const res = await post('/v1/trading/halt', admin.key, { reason: 'e2e kill switch', cancelWorkingOrders: true });
  expect(res.status).toBe(202);
  const { commandId } = (await res.json()) as { commandId: string };
  await settle(fleet, nc, topo);
  const decs = await allMessages('DEC');
  const changed = decs.find((m) => m.type === 'TradingStateChanged' && m.causationId === commandId) as Envelope<'TradingStateChanged', any>;
  expect(changed.data).toMatchObject({ state: 'HALTED', by: 'e2e-admin', cancelWorkingOrders: true });
  // The services replay recorded data on event time (TIMER_CLOCK=event), and so does the gateway's
  // command: stamped with the replay's time, not the wall clock, which would move every clock
  // years ahead and expire every approval at once.
  const cmd = (await allMessages('CMD')).find((m) => m.id === commandId)!;
  expect(cmd.ts).toBeLessThan(Date.UTC(2015, 0, 1));
  expect(cmd.ts).toBeGreaterThan(Date.UTC(2014, 0, 1));
  const state = await fetch(`${base}/v1/trading-state`, { headers: { 'x-api-key': reader.key } });
  expect(state.status).toBe(200);
  expect(JSON.stringify(await state.json())).toContain('HALTED');
}, 120_000);

test('e2e_when_the_audit_trail_is_exported_then_explain_shows_a_trade_in_causal_order_and_the_halt', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'tl-e2e-export-')), 'audit.ndjson');
  const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s), isTty: false };
  let out = '';
  let err = '';
  expect(await main(['node', 'tradeloop', 'export', '--nats', NATS_URL, '--namespace', topo.ns, '--out', file], io)).toBe(0);
  expect(err).toBe('');
  const events = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Envelope);
  // Everything the services decided is in it, once.
  const decs = await allMessages('DEC');
  expect(events.filter((e) => decs.some((d) => d.id === e.id))).toHaveLength(decs.length);
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);

  const closed = events.find((e) => e.type === 'PositionClosed');
  expect(closed).toBeDefined();
  out = '';
  expect(await main(['node', 'tradeloop', 'explain', '--log', file, closed!.correlationId, '--json'], io)).toBe(0);
  const chain = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Envelope);
  // Each stage published after it had its cause, so the server's storage order is causal.
  const order = ['SignalDetected', 'DecisionMade', 'RiskApproved', 'OrderApproved', 'OrderSubmitted', 'OrderFilled', 'PositionOpened', 'PositionClosed', 'ExperienceRecorded'];
  const at = order.map((t) => chain.findIndex((e) => e.type === t));
  expect(at.every((i) => i >= 0)).toBe(true);
  expect([...at].sort((a, b) => a - b)).toEqual(at);

  // The kill switch of the previous test: its command and the state change it caused.
  const halt = events.find((e) => e.type === 'TradingStateChanged' && (e.data as { state: string }).state === 'HALTED')!;
  out = '';
  expect(await main(['node', 'tradeloop', 'explain', '--log', file, halt.causationId], io)).toBe(0);
  expect(out).toMatch(/TradingStateChanged/);
}, 60_000);

test('e2e_when_each_service_is_audited_then_its_decider_over_its_inbox_reproduces_every_output_byte_for_byte', async () => {
  await settle(fleet, nc, topo);
  for (const service of ['scanner', 'rl-decision', 'risk', 'governor', 'executor', 'learning']) {
    let out = '';
    let err = '';
    const code = await main(['node', 'tradeloop', 'replay', '--service', service, '--nats', NATS_URL, '--namespace', topo.ns], {
      out: (s) => void (out += s),
      err: (s) => void (err += s),
      isTty: false,
    });
    expect({ service, code, err }).toEqual({ service, code: 0, err: '' });
    expect(out).toMatch(new RegExp(`^replay of ${service}: inbox ${topo.ns}_IN_${service.toUpperCase().replace('-', '_')} handled to #\\d+; 1 configuration\\(s\\) recorded \\(#1–#\\d+\\)\\n`));
    const m = /replay identical: (\d+) outputs of (\d+) inbox messages, byte for byte/.exec(out);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(0);
  }
}, 120_000);
