/**
 * npm run bench:pipeline — distributed pipeline latency and market-data throughput against the
 * local NATS (127.0.0.1:4222) and PostgreSQL (database test), each part on its own namespace,
 * all removed at the end. Not a test. Three parts, one run:
 *
 * 1. Real services (scanner, rl-decision, risk, governor, executor, learning; separate processes,
 *    EXECUTION_MODE=fully_automated) fed real bars of three markets at a modest pace, each step's
 *    batches sent together as the market-data service sends them. Latency of
 *    each entry order = JetStream storage time of its OrderAccepted (EXE) − that of its
 *    SignalDetected (SIG), matched by correlationId.
 * 2. A pass-through chain with the same JetStream hops (four ServiceRunner processes,
 *    test/bench/passthrough-stage.ts), fed as many SignalDetected as part 1 produced, at the
 *    same pace and in the same bursts (signals stored within 1 ms of each other are published
 *    together, as the scanner publishes a bar batch's signals); same measure.
 * 3. Synthetic quote ticks (syntheticSource, 500 per symbol at a time, sent by publishFeed as
 *    batches within its byte budget, as the market-data service sends them) at rising
 *    rates into a ServiceRunner hosting the real scanner decider behind a 1m mid-price bar
 *    aggregation (another process). The highest rate the feed achieved (ticks published over
 *    the time to the last PubAck, not the target) at which the consumer still finished the last
 *    batch < 1 s after it was published.
 *
 * Last line: {"p50Ms","p99Ms","chainP50Ms","chainP99Ms","ratioP50","ticksPerSec"}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Message } from '@tradeloop/contracts';
import { SAMPLE_MESSAGES } from '@tradeloop/contracts/src/schemas/samples';
import { mergeByTime, readMarketDataFile } from '@tradeloop/market-data';
import { ensureTopology, JetStreamPublisher, topology, type Topology } from '@tradeloop/transport-nats';
import { connectNats, readStream, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { publishFeed } from '../../apps/market-data/src/feed-publisher';
import { syntheticSource } from '../../apps/market-data/src/sources';
import { DATA, DATABASE_URL, REPO, ServiceFleet, sleep } from '../e2e/services';

const NATS = process.env['TRADELOOP_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const SERVICES = ['scanner', 'rl-decision', 'risk', 'governor', 'executor', 'learning'];
const FILES = ['forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', 'forex/EURUSD_FXCM_1m_quotebars_2014-05-01_2014-05-15.csv'];
/** Bars of the merged feed per tick of the feed, and the pause between ticks (≈ 700 bars/s). */
const BARS_PER_STEP = Number(process.env['BENCH_BARS_PER_STEP'] ?? 45);
const STEP_MS = Number(process.env['BENCH_STEP_MS'] ?? 60);
const RATES = (process.env['BENCH_TICK_RATES'] ?? '25000,50000,110000,125000,150000,200000,250000').split(',').map(Number);
const STEP_SECONDS = Number(process.env['BENCH_TICK_SECONDS'] ?? 5);
const TICK_BATCH = 500;

const children = new Set<ChildProcess>();
const fleets: ServiceFleet[] = [];
const namespaces: string[] = [];
const schema = `bench_${Date.now().toString(36)}_${process.pid}`;
let nc: NatsConnection;
let pg: Client | undefined;

const log = (line: string): void => void process.stdout.write(`bench: ${line}\n`);

function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

async function readAll(jsm: JetStreamManager, stream: string): Promise<JsMsg[]> {
  const n = (await jsm.streams.info(stream)).state.messages;
  return readStream(jetstream(nc), stream, n, 120_000);
}

const HOPS = ['SignalDetected', 'DecisionMade', 'RiskApproved', 'OrderApproved', 'OrderAccepted'] as const;

interface Latencies {
  /** SignalDetected → OrderAccepted per entry order (ms). */
  readonly ms: number[];
  /** The same, hop by hop: `DecisionMade` holds SignalDetected → DecisionMade, and so on. */
  readonly hops: Record<string, number[]>;
  readonly signals: number;
  readonly sigTimes: number[];
}

/**
 * Entry-order latencies: storage time of OrderAccepted − storage time of its SignalDetected
 * (ms), and each hop between (storage times of the chain's messages, matched by correlationId).
 */
async function latencies(topo: Topology, entryOnly: boolean): Promise<Latencies> {
  const jsm = await jetstreamManager(nc);
  const sig = await readAll(jsm, topo.streams.SIG.name);
  const dec = await readAll(jsm, topo.streams.DEC.name);
  const exe = await readAll(jsm, topo.streams.EXE.name);
  const at = new Map<string, number>();
  const sigTimes: number[] = [];
  for (const m of sig) {
    const e = m.json<Message>();
    if (e.type !== 'SignalDetected') continue;
    at.set(`SignalDetected|${e.correlationId}`, m.info.timestampNanos);
    sigTimes.push(m.info.timestampNanos);
  }
  for (const m of dec) {
    const e = m.json<Message>();
    if ((HOPS as readonly string[]).includes(e.type)) at.set(`${e.type}|${e.correlationId}`, m.info.timestampNanos);
  }
  const entries = new Set<string>();
  if (entryOnly) for (const m of exe) {
    const e = m.json<Message>();
    if (e.type === 'OrderSubmitted' && e.data.role === 'entry') entries.add(e.data.orderId);
  }
  const ms: number[] = [];
  const hops: Record<string, number[]> = Object.fromEntries(HOPS.slice(1).map((h) => [h, []]));
  for (const m of exe) {
    const e = m.json<Message>();
    if (e.type !== 'OrderAccepted' || (entryOnly && !entries.has(e.data.orderId))) continue;
    const start = at.get(`SignalDetected|${e.correlationId}`);
    if (start === undefined) continue;
    ms.push((m.info.timestampNanos - start) / 1e6);
    at.set(`OrderAccepted|${e.correlationId}`, m.info.timestampNanos);
    for (let i = 1; i < HOPS.length; i++) {
      const a = at.get(`${HOPS[i - 1]}|${e.correlationId}`);
      const b = at.get(`${HOPS[i]}|${e.correlationId}`);
      if (a !== undefined && b !== undefined) hops[HOPS[i]].push((b - a) / 1e6);
    }
  }
  return { ms, hops, signals: sigTimes.length, sigTimes };
}

function hopLine(hops: Record<string, number[]>): string {
  return HOPS.slice(1)
    .map((h, i) => `${HOPS[i]}→${h} p50 ${percentile(hops[h], 50).toFixed(1)} / p99 ${percentile(hops[h], 99).toFixed(1)} ms`)
    .join(', ');
}

/** Waits until every durable consumer of the namespace has nothing pending and the area streams stop growing. */
async function settle(topo: Topology, timeoutMs: number): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let stable = 0;
  let lagging: string[] = [];
  while (Date.now() < deadline) {
    const counts: number[] = [];
    lagging = [];
    for await (const s of jsm.streams.list()) {
      if (!s.config.name.startsWith(`${topo.ns}_`)) continue;
      counts.push(s.state.last_seq);
      for await (const c of jsm.consumers.list(s.config.name)) {
        // The services' durable consumers; not readers the bench itself left behind.
        if (c.config.durable_name === undefined) continue;
        if (c.num_pending + c.num_ack_pending > 0) lagging.push(`${c.stream_name}/${c.name}: ${c.num_pending} pending, ${c.num_ack_pending} unacked`);
      }
    }
    const key = counts.join(',');
    stable = lagging.length === 0 && key === last ? stable + 1 : 0;
    if (stable >= 3) return;
    last = key;
    await sleep(300);
  }
  throw new Error(`namespace ${topo.ns} did not settle within ${timeoutMs} ms${lagging.length > 0 ? `: ${lagging.join('; ')}` : ' (streams still growing)'}`);
}

/** Starts test/bench/passthrough-stage.ts with BENCH_STAGE=stage; resolves once it consumes. */
function startStage(stage: string, ns: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(REPO, 'test/bench/passthrough-stage.ts')], {
    cwd: REPO,
    env: { ...process.env, NATS_URL: NATS, NATS_NAMESPACE: ns, BENCH_STAGE: stage },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`stage ${stage} not ready after 90 s:\n${out}`)), 90_000);
    const onData = (b: Buffer): void => {
      out = (out + b.toString()).slice(-10_000);
      if (out.includes('ready\n')) {
        clearTimeout(timer);
        res(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => {
      out = (out + b.toString()).slice(-10_000);
      process.stderr.write(`[${stage}] ${b.toString()}`);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`stage ${stage} exited with ${code}:\n${out}`));
    });
  });
}

async function stopChildren(): Promise<void> {
  await Promise.all(
    [...children].map(
      (c) =>
        new Promise<void>((r) => {
          if (c.exitCode !== null || c.signalCode !== null) return r();
          const t = setTimeout(() => c.kill('SIGKILL'), 5_000);
          c.once('exit', () => {
            clearTimeout(t);
            r();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}

// ------------------------------------------------------------------------------------------ 1

async function realRun(): Promise<Latencies> {
  const ns = uniqueNs('bpipe');
  namespaces.push(ns);
  const topo = topology({ ns });
  pg = new Client({ connectionString: DATABASE_URL });
  await pg.connect();
  const fleet = new ServiceFleet(
    { NATS_URL: NATS, DATABASE_URL, DATABASE_SCHEMA: schema, NATS_NAMESPACE: ns, EXECUTION_MODE: 'fully_automated', STARTING_CASH: '100000', LOG_LEVEL: 'warn' },
    SERVICES,
  );
  fleets.push(fleet);
  const started = Date.now();
  await fleet.startAll();
  log(`1/3 services up (${SERVICES.join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s, namespace ${ns}`);
  const bars = mergeByTime(...FILES.map((f) => readMarketDataFile(resolve(DATA, f), {}).bars));
  const pub = new JetStreamPublisher(jetstream(nc), topo);
  const feedStart = Date.now();
  for (let i = 0; i < bars.length; i += BARS_PER_STEP) {
    const byMarket = new Map<string, Message<'BarClosed'>[]>();
    for (const b of bars.slice(i, i + BARS_PER_STEP)) {
      const key = `${b.data.venue}|${b.data.symbol}`;
      let list = byMarket.get(key);
      if (!list) byMarket.set(key, (list = []));
      list.push(b);
    }
    // As the market-data service sends them: a step's batches together, acks awaited after.
    await Promise.all([...byMarket.values()].map((batch) => pub.publishBatch(batch)));
    if ((i / BARS_PER_STEP) % 200 === 0) log(`1/3 fed ${i} of ${bars.length} bars`);
    await sleep(STEP_MS);
  }
  log(`1/3 fed ${bars.length} bars in ${((Date.now() - feedStart) / 1000).toFixed(1)} s; waiting for the services to settle`);
  await settle(topo, 120_000);
  const r = await latencies(topo, true);
  log(`1/3 ${r.signals} signals, ${r.ms.length} entry orders accepted`);
  log(`1/3 hops: ${hopLine(r.hops)}`);
  await fleet.stopAll();
  return r;
}

// ------------------------------------------------------------------------------------------ 2

async function chainRun(sigTimes: readonly number[]): Promise<number[]> {
  const ns = uniqueNs('bchain');
  namespaces.push(ns);
  const topo = topology({ ns });
  await ensureTopology(await jetstreamManager(nc), topo);
  await Promise.all(['decision', 'risk', 'governor', 'executor'].map((s) => startStage(s, ns)));
  log(`2/3 pass-through chain up (4 processes), namespace ${ns}; publishing ${sigTimes.length} signals at the real run's pace`);
  const pub = new JetStreamPublisher(jetstream(nc), topo);
  const sample = SAMPLE_MESSAGES.SignalDetected;
  const t0 = performance.now();
  const first = sigTimes[0] ?? 0;
  // The scanner publishes the signals of one bar batch together, so they arrive in bursts:
  // signals stored within 1 ms of each other in the real run are published together here too.
  for (let i = 0; i < sigTimes.length; ) {
    const due = (sigTimes[i] - first) / 1e6;
    const wait = due - (performance.now() - t0);
    if (wait > 1) await sleep(wait);
    let j = i;
    const burst: Promise<unknown>[] = [];
    while (j < sigTimes.length && sigTimes[j] - sigTimes[i] < 1e6) {
      const id = `bench-sig-${j}`;
      burst.push(pub.publish({ ...sample, id, correlationId: id, causationId: id, ts: sample.ts + j * 60_000 }));
      j++;
    }
    await Promise.all(burst);
    i = j;
  }
  await settle(topo, 60_000);
  const r = await latencies(topo, false);
  log(`2/3 chain: ${r.signals} signals, ${r.ms.length} OrderAccepted`);
  log(`2/3 hops: ${hopLine(r.hops)}`);
  await stopChildren();
  return r.ms;
}

// ------------------------------------------------------------------------------------------ 3

async function throughputRun(): Promise<{ ticksPerSec: number }> {
  const ns = uniqueNs('bticks');
  namespaces.push(ns);
  const topo = topology({ ns });
  const jsm = await jetstreamManager(nc);
  await ensureTopology(jsm, topo);
  await startStage('tick-scanner', ns);
  const inbox = `${ns}_IN_BENCH_TICK_SCANNER`;
  const durable = 'bench-tick-scanner';
  log(`3/3 tick consumer up: ServiceRunner + 1m mid-price bars + the real scanner decider, namespace ${ns}`);
  log(`3/3 "scanned" = batch decoded and validated, each tick de-duplicated by id, folded into 1m bars, each closed bar run through the scanner`);
  const source = syntheticSource({ symbols: ['EURUSD', 'GBPUSD', 'XAUUSD', 'BTC'], venue: 'SIM', start: 1_700_000_000_000, intervalMs: 1_000, seed: 7, kind: 'quote', count: Infinity });
  const ticks = source.messages()[Symbol.iterator]();
  const pub = new JetStreamPublisher(jetstream(nc), topo, { window: 64 });
  let batchesSent = 0;
  let best = 0;
  for (const rate of RATES) {
    const total = rate * STEP_SECONDS;
    const buffers = new Map<string, Message<'QuoteTick'>[]>();
    const start = performance.now();
    let lastAckAt = 0;
    async function* paced(): AsyncGenerator<readonly Message<'QuoteTick'>[]> {
      let sent = 0;
      while (sent < total) {
        const t = ticks.next().value as Message<'QuoteTick'>;
        let list = buffers.get(t.data.symbol);
        if (!list) buffers.set(t.data.symbol, (list = []));
        list.push(t);
        sent++;
        if (list.length >= TICK_BATCH || sent === total) {
          const due = (sent / rate) * 1000 - (performance.now() - start);
          if (due > 1) await sleep(due);
          buffers.set(t.data.symbol, []);
          yield list;
        }
      }
      for (const [k, l] of buffers) {
        if (l.length === 0) continue;
        buffers.set(k, []);
        yield l;
      }
    }
    const counts = await publishFeed(paced(), { publisher: pub, window: 16, onBatch: () => (lastAckAt = performance.now()) });
    const publishSec = (lastAckAt - start) / 1000;
    batchesSent += counts.batches;
    // Done when the consumer has acked every batch sent so far (the inbox holds only these).
    let handledAt = Number.NaN;
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline) {
      const c = await jsm.consumers.info(inbox, durable).catch(() => undefined);
      if (c && c.ack_floor.stream_seq >= batchesSent) {
        handledAt = performance.now();
        break;
      }
      await sleep(20);
    }
    const lagMs = handledAt - lastAckAt;
    const achieved = counts.messages / publishSec;
    // Kept up: the consumer finished < 1 s after the last batch. What counts is the rate the feed
    // actually reached (pacing and the publisher can fall short of the target), never the target.
    const ok = Number.isFinite(lagMs) && lagMs < 1_000;
    log(
      `3/3 target ${rate.toLocaleString('en-US')} ticks/s: published ${counts.messages} ticks in ${counts.batches} batches, ` +
        `${Math.round(achieved).toLocaleString('en-US')} ticks/s achieved; consumer done ${Number.isFinite(lagMs) ? `${Math.round(lagMs)} ms` : '> 30 s'} after the last batch → ${ok ? 'kept up' : 'fell behind'}`,
    );
    if (!ok) break;
    best = Math.max(best, Math.round(achieved));
  }
  await stopChildren();
  return { ticksPerSec: best };
}

// --------------------------------------------------------------------------------------------

async function cleanup(): Promise<void> {
  await Promise.all(fleets.map((f) => f.stopAll().catch(() => undefined)));
  await stopChildren();
  if (nc && !nc.isClosed()) {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const s of jsm.streams.list()) if (namespaces.some((ns) => s.config.name.startsWith(`${ns}_`))) names.push(s.config.name);
    // Inboxes source the area streams: delete them first.
    names.sort((a, b) => Number(b.includes('_IN_')) - Number(a.includes('_IN_')));
    for (const n of names) await jsm.streams.delete(n).catch(() => undefined);
    await nc.close();
  }
  if (pg) {
    await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pg.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  nc = await connectNats(NATS);
  const real = await realRun();
  const chain = await chainRun(real.sigTimes);
  const md = await throughputRun();
  const p50 = percentile(real.ms, 50);
  const p99 = percentile(real.ms, 99);
  const c50 = percentile(chain, 50);
  const c99 = percentile(chain, 99);
  log(`real: n=${real.ms.length} p50 ${p50.toFixed(1)} ms p99 ${p99.toFixed(1)} ms; chain: n=${chain.length} p50 ${c50.toFixed(1)} ms p99 ${c99.toFixed(1)} ms`);
  log(`targets: ratioP50 ≤ 1.3 (${(p50 / c50).toFixed(2)}), p99 ≤ 2× chain (${(p99 / c99).toFixed(2)}×), ≥ 100,000 ticks/s (${md.ticksPerSec}); total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  await cleanup();
  process.stdout.write(
    `${JSON.stringify({ p50Ms: round(p50), p99Ms: round(p99), chainP50Ms: round(c50), chainP99Ms: round(c99), ratioP50: round(p50 / c50), ticksPerSec: md.ticksPerSec })}\n`,
  );
}

let aborting = false;
const abort = (why: unknown): void => {
  if (aborting) return;
  aborting = true;
  process.stderr.write(`bench:pipeline failed: ${why instanceof Error ? (why.stack ?? why.message) : String(why)}\n`);
  cleanup().finally(() => process.exit(1));
};
process.once('SIGINT', () => abort('interrupted (SIGINT)'));
process.once('SIGTERM', () => abort('terminated (SIGTERM)'));
main().catch(abort);
