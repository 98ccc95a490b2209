import { resolve } from 'node:path';
import type { Message } from '@tradeloop/contracts';
import { DeciderHost, NO_OUTPUTS, type Decider, type Envelope } from '@tradeloop/kernel';
import { readMarketDataFile } from '@tradeloop/market-data';
import { createScanner } from '@tradeloop/scanner';
import { createGovernor } from '@tradeloop/governor';
import { BATCH_TS_HEADER, JetStreamPublisher, readStoredMessages, topology, type Topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, readStream, uniqueNs, waitFor } from '@tradeloop/transport-nats/src/test-support';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { ServiceRunner, type ServiceEffects } from './runner';
import { ServiceMetrics } from './metrics';
import { SAMPLE_MESSAGES } from '@tradeloop/contracts/src/schemas/samples';

const DATA = resolve(__dirname, '../../../../shared/data');
const EURUSD = resolve(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');
const bars = readMarketDataFile(EURUSD, {}).bars.slice(0, 6_000);

let nc: NatsConnection;
let jsm: JetStreamManager;
let topo: Topology;
const runners: ServiceRunner[] = [];

beforeEach(async () => {
  nc = await connectNats();
  jsm = await jetstreamManager(nc);
  topo = topology({ ns: uniqueNs('svc') });
});

afterEach(async () => {
  for (const r of runners.splice(0)) await r.stop();
  await deleteTopology(jsm, topo);
  for (const s of await jsm.streams.names().next()) if (s.startsWith(`${topo.ns}_IN_`)) await jsm.streams.delete(s);
  await nc.close();
});

async function publishBars(list: readonly Message<'BarClosed'>[], batch = 500): Promise<void> {
  const pub = new JetStreamPublisher(jetstream(nc), topo);
  for (let i = 0; i < list.length; i += batch) void pub.publishBatch(list.slice(i, i + batch));
  await pub.flush();
}

function start(r: ServiceRunner): Promise<void> {
  runners.push(r);
  return r.start();
}

async function signalsIn(count: number): Promise<Envelope[]> {
  const msgs = await readStream(jetstream(nc), topo.streams.SIG.name, count);
  return msgs.map((m) => m.json<Envelope>());
}

describe('ServiceRunner on real NATS (scanner over real EURUSD bars)', () => {
  // The reference: the same decider over the same bars, in process.
  const reference = new DeciderHost(createScanner({}));
  const expected: Envelope[] = [];
  for (const b of bars) expected.push(...reference.handle(b));

  test('runner_when_bars_arrive_in_batches_then_publishes_exactly_the_in_process_signals', async () => {
    expect(expected.length).toBeGreaterThan(10);
    const metrics = new ServiceMetrics('scanner');
    const runner = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo, metrics });
    await start(runner);
    await publishBars(bars);
    await waitFor('all bars handled', () => runner.status().clock === bars[bars.length - 1].ts);
    const got = await signalsIn(expected.length);
    expect(got).toEqual(expected);
    const info = await jsm.streams.info(topo.streams.SIG.name);
    expect(info.state.messages).toBe(expected.length);
    await waitFor('lag 0', async () => (await runner.lag()) === 0);
    const text = await metrics.registry.metrics();
    expect(text).toContain(`tradeloop_messages_out_total{service="scanner",type="SignalDetected"} ${expected.length}`);
    // Stage latency: one observation per batch that caused signals, inbox storage → signals stored.
    const stage = (s: string): number => Number(new RegExp(`tradeloop_stage_latency_seconds_${s}\\{service="scanner",type="MarketDataBatch"\\} (\\S+)`).exec(text)?.[1]);
    const batchesWithSignals = new Set(expected.map((e) => e.causationId)).size;
    expect(stage('count')).toBeGreaterThan(0);
    expect(stage('count')).toBeLessThanOrEqual(batchesWithSignals);
    expect(stage('sum') / stage('count')).toBeGreaterThan(0);
    expect(stage('sum') / stage('count')).toBeLessThan(10);
  });

  test('runner_when_restarted_midway_then_rebuilds_state_and_continues_identically', async () => {
    const half = 3_000;
    const first = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo });
    await start(first);
    await publishBars(bars.slice(0, half));
    await waitFor('first half handled', () => first.status().clock === bars[half - 1].ts);
    await first.stop();
    runners.splice(runners.indexOf(first), 1);

    // Meanwhile the feed goes on; the second runner replays the inbox to its ack floor first.
    await publishBars(bars.slice(half));
    const second = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo });
    await start(second);
    expect(second.status().rebuilt).toBeGreaterThan(0);
    await waitFor('second half handled', () => second.status().clock === bars[bars.length - 1].ts);
    const got = await signalsIn(expected.length);
    expect(got.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(got).toEqual(expected);
    // Nothing was published twice.
    expect((await jsm.streams.info(topo.streams.SIG.name)).state.messages).toBe(expected.length);
  });

  test('runner_when_a_crashed_process_left_messages_unacked_then_the_next_one_handles_them_in_inbox_order_at_once', async () => {
    const first = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo });
    await start(first);
    await publishBars(bars.slice(0, 2_000));
    await waitFor('first part handled', () => first.status().clock === bars[1_999].ts);
    await first.stop();
    runners.splice(runners.indexOf(first), 1);
    await publishBars(bars.slice(2_000));
    // A process that took three messages off the durable and died before acking them: the
    // server would hand them out again only after ack_wait (30 s), behind newer ones.
    const taken = await (await jetstream(nc).consumers.get(first.inbox.stream, first.inbox.durable)).fetch({ max_messages: 3, expires: 2_000 });
    let held = 0;
    for await (const _m of taken) held++;
    expect(held).toBe(3);
    const second = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo });
    await start(second);
    await waitFor('everything handled', () => second.status().clock === bars[bars.length - 1].ts, 10_000);
    expect(await signalsIn(expected.length)).toEqual(expected);
    expect((await jsm.streams.info(topo.streams.SIG.name)).state.messages).toBe(expected.length);
  });

  test('runner_when_bars_are_republished_in_other_batches_then_they_are_not_handled_twice', async () => {
    const runner = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo });
    await start(runner);
    await publishBars(bars.slice(0, 4_000), 500);
    await publishBars(bars.slice(2_000, 4_000), 300); // other batch boundaries: other Nats-Msg-Ids
    await publishBars(bars.slice(4_000), 500);
    await waitFor('all handled', () => runner.status().clock === bars[bars.length - 1].ts);
    await waitFor('lag 0', async () => (await runner.lag()) === 0);
    expect((await jsm.streams.info(topo.streams.SIG.name)).state.messages).toBe(expected.length);
  });

  test('runner_when_ticks_share_milliseconds_and_are_republished_in_other_batches_then_each_is_handled_once_in_order', async () => {
    // Three quotes a millisecond, and one millisecond holding 40 (past the short list).
    const template = SAMPLE_MESSAGES.QuoteTick;
    const ticks: Message<'QuoteTick'>[] = [];
    for (let ms = 0; ms < 1_000; ms++) {
      for (let k = 0; k < (ms === 500 ? 40 : 3); k++) {
        const id = `qt-${ms}-${k}`;
        ticks.push({ ...template, id, correlationId: id, causationId: id, ts: template.ts + ms, data: { ...template.data, bid: 1.08 + k * 1e-5 } });
      }
    }
    const handled: string[] = [];
    const recorder: Decider<null, Message<'QuoteTick'>, never> = {
      name: 'tick-recorder',
      consumes: ['QuoteTick'],
      initialState: () => null,
      evolve: (state, m) => {
        if (m.type === 'QuoteTick') handled.push(m.id);
        return state;
      },
      decide: () => NO_OUTPUTS,
    };
    const metrics = new ServiceMetrics('tick-recorder');
    const runner = new ServiceRunner({ service: 'tick-recorder', decider: recorder, nc, topo, metrics });
    await start(runner);
    const n = ticks.length;
    // Replays with other batch boundaries (other Nats-Msg-Ids) that start inside a millisecond
    // the runner is still at: ticks 999–1001 share one, 1500–1539 are the 40.
    await publishBars(ticks.slice(0, 1_001) as never, 500);
    await publishBars(ticks.slice(999, 1_530) as never, 270);
    await publishBars(ticks.slice(1_510, 1_535) as never, 270);
    await publishBars(ticks.slice(1_000, 1_600) as never, 270);
    // An old quote under a new id: behind its series' time, so not new.
    await publishBars([{ ...ticks[10], id: 'qt-late', correlationId: 'qt-late', causationId: 'qt-late' }] as never);
    await publishBars(ticks.slice(1_600) as never, 500);
    await waitFor('all ticks handled', () => runner.status().clock === ticks[n - 1].ts);
    await waitFor('lag 0', async () => (await runner.lag()) === 0);
    expect(handled).toEqual(ticks.map((t) => t.id));
    // Skipped, and counted: 999–1000, 1510–1529, 1000–1534 again, and the late quote.
    const text = await metrics.registry.metrics();
    expect(text).toContain(`tradeloop_inputs_skipped_total{service="tick-recorder",type="QuoteTick"} ${2 + 20 + 535 + 1}`);
    expect(text).toContain(`tradeloop_messages_in_total{service="tick-recorder",type="QuoteTick"} ${n}`);
  });

  test('runner_when_a_malformed_message_arrives_then_it_is_dead_lettered_with_the_reason_and_the_service_goes_on', async () => {
    const runner = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo });
    await start(runner);
    const js = jetstream(nc);
    await js.publish(`${topo.ns}.md.batch.oanda.EURUSD`, '{"kind":"MarketDataBatch","version":1,"venue":"oanda","symbol":"EURUSD","messages":[{"id":"x"}]}');
    await js.publish(`${topo.ns}.md.batch.oanda.EURUSD`, 'not json');
    await publishBars(bars);
    await waitFor('all handled', () => runner.status().clock === bars[bars.length - 1].ts);
    expect(runner.status().deadLettered).toBe(2);
    const letters = (await readStream(js, topo.streams.DLQ.name, 2)).map((m) => m.json<{ reason: string; detail: string; subject: string }>());
    expect(letters.map((l) => l.reason)).toEqual(['invalid_message', 'invalid_message']);
    expect(letters[0].detail).toContain('messages.0.type');
    expect(letters[1].detail).toContain('invalid JSON');
    expect((await jsm.streams.info(topo.streams.SIG.name)).state.messages).toBe(expected.length);
  });
});

describe('ServiceRunner timers (governor approvals expire)', () => {
  const first = SAMPLE_MESSAGES.RiskApproved;

  test('runner_when_market_data_time_passes_an_expiry_then_a_timer_comes_back_through_the_inbox_and_the_approval_expires', async () => {
    const governor = createGovernor({ mode: 'fully_manual', threshold: 70, autoExecute: true, approvalTtlMs: 300_000 });
    const runner = new ServiceRunner({ service: 'governor', decider: governor, nc, topo });
    // The governor has timers, so market data is sourced as its clock although it consumes none.
    expect(runner.inbox.sources.map((s) => s.filter_subject).sort()).toEqual(
      [`${topo.ns}.cmd.governor.>`, `${topo.ns}.dec.risk.approved.*`, `${topo.ns}.md.batch.>`, `${topo.ns}.sys.timer.governor`].sort(),
    );
    await start(runner);
    const pub = new JetStreamPublisher(jetstream(nc), topo);
    await pub.publish(first);
    // Bars from before and after the expiry: nothing else reaches the governor.
    const clockBars = bars.slice(0, 20).map((b, i) => ({ ...b, id: `clock-${i}`, ts: first.ts + (i + 1) * 60_000 }));
    await pub.publishBatch(clockBars);
    const timers = await readStream(jetstream(nc), topo.streams.SYS.name, 1);
    expect(timers[0].json<Envelope>()).toMatchObject({ type: 'TimerFired', source: 'governor', ts: first.ts + 300_000 });
    const dec = await readStream(jetstream(nc), topo.streams.DEC.name, 3);
    expect(dec.map((m) => m.json<Envelope>().type)).toEqual(['RiskApproved', 'ApprovalRequested', 'ApprovalExpired']);
    expect(dec[2].json<Envelope>().correlationId).toBe(first.correlationId);
    await waitFor('lag 0', async () => (await runner.lag()) === 0);
    expect((await jsm.streams.info(topo.streams.SYS.name)).state.messages).toBe(1);
  });

  test('runner_when_a_batch_header_carries_its_time_then_a_clock_only_service_moves_its_clock_without_decoding', async () => {
    const governor = createGovernor({ mode: 'fully_manual', threshold: 70, autoExecute: true, approvalTtlMs: 300_000 });
    const runner = new ServiceRunner({ service: 'governor', decider: governor, nc, topo });
    await start(runner);
    const h = headers();
    h.set(BATCH_TS_HEADER, String(first.ts + 42));
    // Not even JSON: only a service that consumes the bars would look inside (and dead-letter it).
    await jetstream(nc).publish(`${topo.ns}.md.batch.oanda.EURUSD`, 'not json', { headers: h });
    await waitFor('clock from the header', () => runner.status().clock === first.ts + 42);
    expect(runner.status().deadLettered).toBe(0);
    // Without the header the batch is decoded, and this one is dead-lettered.
    await jetstream(nc).publish(`${topo.ns}.md.batch.oanda.EURUSD`, 'not json');
    await waitFor('dead-lettered', () => runner.status().deadLettered === 1);
  });

  test('runner_when_wall_clock_timers_and_an_approval_is_overdue_then_a_timer_goes_through_the_inbox_and_expires_it', async () => {
    const governor = createGovernor({ mode: 'fully_manual', threshold: 70, autoExecute: true, approvalTtlMs: 300_000 });
    const runner = new ServiceRunner({ service: 'governor', decider: governor, nc, topo, timerClock: 'wall' });
    await start(runner);
    await new JetStreamPublisher(jetstream(nc), topo).publish(first); // event time 2023: overdue by the wall clock
    const timers = await readStream(jetstream(nc), topo.streams.SYS.name, 1);
    expect(timers[0].json<Envelope>()).toMatchObject({ type: 'TimerFired', source: 'governor', ts: first.ts + 300_000 });
    const dec = await readStream(jetstream(nc), topo.streams.DEC.name, 3);
    expect(dec.map((m) => m.json<Envelope>().type)).toEqual(['RiskApproved', 'ApprovalRequested', 'ApprovalExpired']);
    await waitFor('timer handled', () => runner.status().handled === 2);
    expect((await jsm.streams.info(topo.streams.SYS.name)).state.messages).toBe(1);
  });
});

describe('ServiceRunner commit lane (effects commit in inbox order behind the published outputs)', () => {
  const reference = new DeciderHost(createScanner({}));
  const expected: Envelope[] = [];
  for (const b of bars) expected.push(...reference.handle(b));

  /** Effects whose commits wait for `open()`; they record the inbox seq of each commit, in order. */
  function gatedEffects(failFirst = false): { effects: ServiceEffects; committed: number[]; failed: number[]; open: () => void } {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const committed: number[] = [];
    const failed: number[] = [];
    return {
      committed,
      failed,
      open: () => release(),
      effects: {
        async apply(ref) {
          if (failFirst && (failed.length === 0 || failed[0] === ref.seq)) {
            failed.push(ref.seq);
            throw new Error(`database unavailable at seq ${ref.seq}`);
          }
          await gate;
          committed.push(ref.seq);
        },
      },
    };
  }

  async function ackFloor(r: ServiceRunner): Promise<number> {
    return (await jsm.consumers.info(r.inbox.stream, r.inbox.durable)).ack_floor.stream_seq;
  }

  test('runner_when_commits_are_slow_then_outputs_are_published_ahead_and_each_message_is_acked_only_after_its_commit', async () => {
    const g = gatedEffects();
    const runner = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo, effects: g.effects });
    await start(runner);
    await publishBars(bars, 100);
    // Every signal reaches the stream while not one commit has happened.
    expect(await signalsIn(expected.length)).toEqual(expected);
    expect(g.committed).toEqual([]);
    await waitFor('all bars decided', () => runner.status().clock === bars[bars.length - 1].ts);
    const floor = await ackFloor(runner);
    expect(runner.status().lastSeq).toBe(floor);
    expect(floor).toBeLessThan(bars.length / 100);
    g.open();
    await waitFor('everything committed and acked', async () => (await ackFloor(runner)) === bars.length / 100);
    expect(g.committed.length).toBeGreaterThan(5);
    expect(g.committed).toEqual([...g.committed].sort((a, b) => a - b));
    expect(new Set(g.committed).size).toBe(g.committed.length);
    expect(runner.status().lastSeq).toBe(bars.length / 100);
  });

  test('runner_when_messages_gather_in_the_linger_then_they_commit_as_groups_in_inbox_order_each_once', async () => {
    const groups: number[][] = [];
    const effects: ServiceEffects = {
      async applyMany(items) {
        groups.push(items.map((i) => i.ref.seq));
      },
    };
    const runner = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo, effects, commitLingerMs: 50 });
    await start(runner);
    await publishBars(bars, 100);
    await waitFor('everything committed and acked', async () => (await ackFloor(runner)) === bars.length / 100);
    const seqs = groups.flat();
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    // Exactly the inbox messages (batches of 100 bars) that produced signals were committed.
    const host = new DeciderHost(createScanner({}));
    const withSignals: number[] = [];
    for (let i = 0; i < bars.length; i += 100) {
      let n = 0;
      for (const b of bars.slice(i, i + 100)) n += host.handle(b).length;
      if (n > 0) withSignals.push(i / 100 + 1);
    }
    expect(seqs).toEqual(withSignals);
    // The 50 ms linger gathered several per group.
    expect(Math.max(...groups.map((g) => g.length))).toBeGreaterThan(1);
    expect(await signalsIn(expected.length)).toEqual(expected);
  });

  test('runner_when_pending_commits_reach_the_bound_then_it_stops_deciding_until_they_commit', async () => {
    const g = gatedEffects();
    const runner = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo, effects: g.effects, maxPendingCommits: 2 });
    await start(runner);
    await publishBars(bars, 100);
    await waitFor('the first signal published', async () => (await jsm.streams.info(topo.streams.SIG.name)).state.messages > 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(runner.status().clock).toBeLessThan(bars[bars.length - 1].ts);
    expect((await jsm.streams.info(topo.streams.SIG.name)).state.messages).toBeLessThan(expected.length);
    g.open();
    await waitFor('all bars handled', () => runner.status().clock === bars[bars.length - 1].ts);
    expect(await signalsIn(expected.length)).toEqual(expected);
  });

  test('runner_when_a_commit_keeps_failing_then_it_fails_unacked_and_the_next_runner_commits_from_there_without_publishing_twice', async () => {
    const bad = gatedEffects(true);
    bad.open();
    const first = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo, effects: bad.effects, maxEffectAttempts: 2, retryBackoffMs: [10] });
    await start(first);
    await publishBars(bars, 100);
    await waitFor('first runner failed', () => first.status().state === 'failed');
    expect(first.status().error).toContain(`database unavailable at seq ${bad.failed[0]}`);
    expect(await ackFloor(first)).toBeLessThan(bad.failed[0]);

    const good = gatedEffects();
    good.open();
    const second = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo, effects: good.effects });
    await start(second);
    await waitFor('everything committed', async () => (await ackFloor(second)) === bars.length / 100);
    expect(good.committed[0]).toBe(bad.failed[0]);
    expect(await signalsIn(expected.length)).toEqual(expected);
    expect((await jsm.streams.info(topo.streams.SIG.name)).state.messages).toBe(expected.length);
  });
});

describe('ServiceRunner restarted after the de-duplication window', () => {
  const reference = new DeciderHost(createScanner({}));
  const expected: Envelope[] = [];
  for (const b of bars) expected.push(...reference.handle(b));

  test('runner_when_restarted_after_the_deduplication_window_then_outputs_already_stored_are_not_stored_again', async () => {
    // A 1 s window stands for the default 2 minutes: the restart comes after it has passed.
    topo = topology({ ns: uniqueNs('svc'), duplicateWindowMs: 1_000 });
    const failed: number[] = [];
    const first = new ServiceRunner({
      service: 'scanner',
      decider: createScanner({}),
      nc,
      topo,
      // The database is down: the first commit fails, while later messages are decided and
      // their signals published ahead of their commits (never acked).
      effects: {
        async apply(ref) {
          failed.push(ref.seq);
          throw new Error(`database unavailable at seq ${ref.seq}`);
        },
      },
      maxEffectAttempts: 2,
      retryBackoffMs: [10],
    });
    await start(first);
    await publishBars(bars, 100);
    await waitFor('first runner failed', () => first.status().state === 'failed');
    const storedBefore = (await jsm.streams.info(topo.streams.SIG.name)).state.messages;
    expect(storedBefore).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_500));

    const committed: number[] = [];
    const second = new ServiceRunner({
      service: 'scanner',
      decider: createScanner({}),
      nc,
      topo,
      effects: {
        async apply(ref) {
          committed.push(ref.seq);
        },
      },
    });
    await start(second);
    await waitFor('everything acked', async () => (await jsm.consumers.info(second.inbox.stream, second.inbox.durable)).ack_floor.stream_seq === bars.length / 100);
    // The effects of the message whose commit failed are committed now, once each.
    expect(committed[0]).toBe(failed[0]);
    expect(new Set(committed).size).toBe(committed.length);
    // Each signal stored once, in order: those the first runner stored were not sent again.
    expect((await jsm.streams.info(topo.streams.SIG.name)).state.messages).toBe(expected.length);
    expect(await signalsIn(expected.length)).toEqual(expected);
    expect(second.status().notRepublished).toBe(storedBefore);
  });
  test('runner_when_started_again_after_the_deduplication_window_with_nothing_handled_between_then_its_service_started_is_stored_once', async () => {
    topo = topology({ ns: uniqueNs('svc'), duplicateWindowMs: 1_000 });
    const config = { scanner: 'defaults' };
    const first = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo, startedConfig: config });
    await start(first);
    await first.stop();
    runners.splice(runners.indexOf(first), 1);
    await new Promise((r) => setTimeout(r, 1_500));
    const second = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo, startedConfig: config });
    await start(second);
    await second.stop();
    // The same configuration from the same inbox message: the same record, already there.
    expect((await jsm.streams.info(topo.streams.SYS.name)).state.messages).toBe(1);
    // Another configuration from there is a record of its own.
    await start(new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo, startedConfig: { scanner: 'other' } }));
    expect((await jsm.streams.info(topo.streams.SYS.name)).state.messages).toBe(2);
  });
});

describe('ServiceRunner reset: its inbox or its consumer made anew after the de-duplication window', () => {
  const half = 3_000;
  const config = { scanner: 'defaults' };
  const signalsOf = (list: readonly Message<'BarClosed'>[]): Envelope[] => {
    const host = new DeciderHost(createScanner({}));
    return list.flatMap((b) => host.handle(b));
  };
  const expected = signalsOf(bars);
  const beforeReset = signalsOf(bars.slice(0, half));

  /** Every message a stream holds, decoded. */
  async function stored(area: 'SIG' | 'SYS'): Promise<Envelope[]> {
    const msgs = await readStoredMessages(jetstream(nc), jsm, topo.streams[area].name);
    return msgs.map((m) => JSON.parse(new TextDecoder().decode(m.data)) as Envelope);
  }

  function scanner(): ServiceRunner {
    return new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo, startedConfig: config });
  }

  /** The first runner handles the first half of the bars and stops; the window then passes. */
  async function runFirstHalf(): Promise<ServiceRunner> {
    topo = topology({ ns: uniqueNs('svc'), duplicateWindowMs: 1_000 });
    const first = scanner();
    await start(first);
    await publishBars(bars.slice(0, half), 100);
    await waitFor('first half handled', () => first.status().clock === bars[half - 1].ts);
    await waitFor('first half acked', async () => (await first.lag()) === 0);
    await first.stop();
    runners.splice(runners.indexOf(first), 1);
    expect(beforeReset.length).toBeGreaterThan(10);
    expect((await stored('SIG')).map((e) => e.id)).toEqual(beforeReset.map((e) => e.id));
    await new Promise((r) => setTimeout(r, 1_500));
    return first;
  }

  /** After the reset: the second half arrives, and the second runner handles everything. */
  async function runSecondHalf(second: ServiceRunner): Promise<void> {
    await start(second);
    await publishBars(bars.slice(half), 100);
    await waitFor('every bar handled', () => second.status().clock === bars[bars.length - 1].ts);
    await waitFor('every bar acked', async () => (await second.lag()) === 0);
  }

  test('runner_when_its_inbox_is_deleted_and_made_again_from_the_area_streams_then_each_output_is_stored_once_and_new_bars_are_handled', async () => {
    const first = await runFirstHalf();
    // An operator resets the service: its inbox is deleted; the start makes it anew from MD.
    await jsm.streams.delete(first.inbox.stream);
    const second = scanner();
    await runSecondHalf(second);
    // The new inbox is a new log: everything MD holds, handled from a fresh state.
    expect(second.status()).toMatchObject({ rebuilt: 0, handled: bars.length / 100 });
    const sig = await stored('SIG');
    expect(sig.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(sig).toEqual(expected);
    expect(second.status().notRepublished).toBe(beforeReset.length);
    // ServiceStarted from inbox #1 with the same configuration: stored once too.
    expect((await stored('SYS')).map((e) => e.type)).toEqual(['ServiceStarted']);
  });

  test('runner_when_its_consumer_is_deleted_then_the_inbox_is_handled_again_from_its_first_message_and_each_output_is_stored_once', async () => {
    const first = await runFirstHalf();
    await jsm.consumers.delete(first.inbox.stream, first.inbox.durable);
    const second = scanner();
    await runSecondHalf(second);
    expect(second.status()).toMatchObject({ rebuilt: 0, handled: bars.length / 100 });
    const sig = await stored('SIG');
    expect(sig.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(sig).toEqual(expected);
    expect(second.status().notRepublished).toBe(beforeReset.length);
    expect((await stored('SYS')).map((e) => e.type)).toEqual(['ServiceStarted']);
  });

  test('runner_when_its_inbox_is_made_again_after_market_data_dropped_its_oldest_bars_then_nothing_is_stored_twice_and_only_new_ids_are_published', async () => {
    const first = await runFirstHalf();
    // MD has dropped its oldest 1 000 bars (as its 7-day limit does), then the inbox is reset:
    // the state is rebuilt from the 2 000 bars MD still holds, so its indicators warm up again.
    await jsm.streams.purge(topo.streams.MD.name, { keep: (half - 1_000) / 100 });
    await jsm.streams.delete(first.inbox.stream);
    const second = scanner();
    await runSecondHalf(second);
    expect(second.status().handled).toBe((bars.length - 1_000) / 100);
    // What a fresh scanner makes of the bars MD held: those of its signals already stored are
    // not stored again; those with ids of their own (a shorter warm-up) are published.
    const rederived = signalsOf(bars.slice(1_000));
    const before = new Set(beforeReset.map((e) => e.id));
    const sig = await stored('SIG');
    expect(new Set(sig.map((e) => e.id)).size).toBe(sig.length);
    expect(sig).toEqual([...beforeReset, ...rederived.filter((e) => !before.has(e.id))]);
    expect(second.status().notRepublished).toBe(rederived.filter((e) => before.has(e.id)).length);
    expect(second.status().notRepublished).toBeGreaterThan(0);
  });
});

describe('ServiceRunner timers after a reset', () => {
  const STEP = 10 * 60_000;
  const T0 = bars[0].ts;
  interface Beat {
    readonly last: number;
  }
  /** Wants a timer every 10 minutes of event time; its state only moves forward. */
  const heartbeat: Decider<Beat, Message<'TimerFired'>, never> = {
    name: 'heartbeat',
    consumes: ['TimerFired'],
    initialState: () => ({ last: T0 }),
    evolve: (s, m) => (m.type === 'TimerFired' ? { last: Math.max(s.last, (m.data as { at: number }).at) } : s),
    decide: () => NO_OUTPUTS,
    wakeAt: (s) => s.last + STEP,
  };

  test('runner_when_its_consumer_is_deleted_after_the_deduplication_window_then_timers_already_stored_are_not_stored_again', async () => {
    topo = topology({ ns: uniqueNs('svc'), duplicateWindowMs: 1_000 });
    const first = new ServiceRunner({ service: 'heartbeat', decider: heartbeat, nc, topo });
    await start(first);
    await publishBars(bars.slice(0, 2_000), 100);
    const dueBy = (ts: number): number => Math.floor((ts - T0) / STEP);
    const timers = async (): Promise<Envelope[]> =>
      (await readStoredMessages(jetstream(nc), jsm, topo.streams.SYS.name)).map((m) => JSON.parse(new TextDecoder().decode(m.data)) as Envelope);
    const timerCount = async (): Promise<number> => (await jsm.streams.info(topo.streams.SYS.name)).state.messages;
    const firstTimers = dueBy(bars[1_999].ts);
    await waitFor('first timers', async () => (await timerCount()) === firstTimers);
    await waitFor('first part acked', async () => (await first.lag()) === 0);
    const inboxLength = (await jsm.streams.info(first.inbox.stream)).state.last_seq;
    expect(inboxLength).toBe(20 + firstTimers);
    await first.stop();
    runners.splice(runners.indexOf(first), 1);
    await new Promise((r) => setTimeout(r, 1_500));

    // The inbox from its first message, from a fresh state: each bar batch moves the clock past
    // wake times whose timers the first runner published.
    await jsm.consumers.delete(first.inbox.stream, first.inbox.durable);
    const second = new ServiceRunner({ service: 'heartbeat', decider: heartbeat, nc, topo });
    await start(second);
    await waitFor('the inbox handled again', async () => second.status().lastSeq === inboxLength && (await second.lag()) === 0);
    expect((await timers()).map((t) => t.id)).toEqual(Array.from({ length: firstTimers }, (_, k) => `timer:heartbeat:${T0 + (k + 1) * STEP}`));
    expect(second.status().notRepublished).toBe(firstTimers);

    // New bars: new timers, each once.
    await publishBars(bars.slice(2_000, 3_000), 100);
    const due = dueBy(bars[2_999].ts);
    await waitFor('timers up to the last bar', async () => (await timerCount()) >= due);
    expect((await timers()).map((t) => t.ts)).toEqual(Array.from({ length: due }, (_, k) => T0 + (k + 1) * STEP));
  });
});
