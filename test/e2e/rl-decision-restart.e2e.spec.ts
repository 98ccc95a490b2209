/**
 * Restarts of the rl-decision service: the service as its own OS process on the real NATS
 * JetStream of this machine (a namespace of its own), fed the signals, experiences and learned
 * parameters of a real two-market backtest while it is stopped with SIGTERM and killed with
 * SIGKILL. Its Thompson draws come from a seeded PRNG carried in its state, rebuilt from the
 * inbox at every start: afterwards every signal has exactly one decision, and the decisions are
 * those of the backtest's uninterrupted in-process rl-decision, byte for byte.
 */
import { resolve } from 'node:path';
import type { Envelope } from '@tradeloop/kernel';
import { CATALOG, type MessageType } from '@tradeloop/contracts';
import { createRlDecision } from '@tradeloop/rl-decision';
import { mergeByTime, readMarketDataFile } from '@tradeloop/market-data';
import { parseEventLog, pipelineConfig, runBacktest } from '@tradeloop/runtime';
import { JetStreamPublisher, topology, type Topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, uniqueNs } from '@tradeloop/transport-nats/src/test-support';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { DATA, NATS_URL, ServiceFleet, sleep } from './services';
import { allMessages } from './invariants';

const FILES = ['forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv', 'metals/XAUUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv'];
const STOPS: readonly NodeJS.Signals[] = ['SIGKILL', 'SIGTERM', 'SIGKILL'];

let nc: NatsConnection;
let jsm: JetStreamManager;
let topo: Topology;
let fleet: ServiceFleet | undefined;

beforeAll(async () => {
  nc = await connectNats();
  jsm = await jetstreamManager(nc);
  topo = topology({ ns: uniqueNs('rlrestart') });
}, 30_000);

afterAll(async () => {
  await fleet?.stopAll();
  if (jsm) {
    await deleteTopology(jsm, topo);
    await jsm.streams.delete(`${topo.ns}_IN_RL_DECISION`).catch(() => undefined);
  }
  await nc?.close();
}, 30_000);

async function streamed(area: 'DEC'): Promise<number> {
  return (await jsm.streams.info(topo.streams[area].name)).state.messages;
}

test('rl_decision_when_stopped_and_killed_while_signals_stream_in_then_its_decisions_equal_an_uninterrupted_run', async () => {
  const bars = mergeByTime(...FILES.map((f) => readMarketDataFile(resolve(DATA, f), {}).bars));
  const run = runBacktest({ bars, files: [] }, pipelineConfig({ mode: 'quality_based', feeBps: 0.5, slippageBps: 0.5 }));
  const log = parseEventLog(run.eventLog.text(), 'events.ndjson') as Envelope<string, any>[];
  const consumes = new Set<string>(createRlDecision().consumes);
  const inputs = log.filter((e) => consumes.has(e.type));
  const decisions = log.filter((e) => e.type === 'DecisionMade');
  expect(decisions.length).toBeGreaterThan(500);
  // Tables change the draws: the run must have adopted some before most of its decisions.
  expect(decisions.filter((d) => d.data.paramsVersion > 0).length).toBeGreaterThan(decisions.length / 2);

  fleet = new ServiceFleet({ NATS_URL, NATS_NAMESPACE: topo.ns, LOG_LEVEL: 'warn' }, ['rl-decision']);
  await fleet.startAll();
  const rl = fleet.procs.get('rl-decision')!;

  // The inputs in the run's order, in steps of 20 every 250 ms (about 11 s). They reach the inbox from two
  // streams (signals, learning): where the stream changes, the inbox is let hold everything
  // before, so that it holds them in the run's order — a table before the signals after it.
  const pub = new JetStreamPublisher(jetstream(nc), topo);
  const inbox = `${topo.ns}_IN_RL_DECISION`;
  const feed = (async () => {
    for (let i = 0; i < inputs.length; i += 20) {
      for (let j = i; j < Math.min(i + 20, inputs.length); j++) {
        const stream = (t: string): string => CATALOG[t as MessageType].stream;
        if (j > 0 && stream(inputs[j].type) !== stream(inputs[j - 1].type)) {
          while ((await jsm.streams.info(inbox)).state.messages < j) await sleep(2);
        }
        await pub.publish(inputs[j]);
      }
      await sleep(250);
    }
  })();

  // Each stop once the service has decided 20 more signals since its last start: while it
  // works through what came in during the restart, with more still streaming in.
  const stops: string[] = [];
  for (let k = 1; k <= STOPS.length; k++) {
    const mark = (await streamed('DEC')) + 20;
    for (let n = await streamed('DEC'); n < mark; n = await streamed('DEC')) {
      if (rl.child.exitCode !== null) throw new Error(`rl-decision exited:\n${rl.output}`);
      await sleep(15);
    }
    stops.push(`${STOPS[k - 1]} at ${await streamed('DEC')} decisions`);
    await fleet.crashAndRestart('rl-decision', STOPS[k - 1]);
  }
  await feed;

  const deadline = Date.now() + 30_000;
  while ((await streamed('DEC')) < decisions.length || (await fleet.totalLag()) !== 0) {
    if (Date.now() > deadline) throw new Error(`rl-decision did not catch up: ${await streamed('DEC')} decisions; ${stops.join('; ')}\n${rl.output}`);
    await sleep(100);
  }
  expect(rl.starts).toBe(1 + STOPS.length);

  const dec = await allMessages(nc, topo, 'DEC');
  const made = dec.filter((m) => m.type === 'DecisionMade');
  expect(new Set(made.map((m) => m.data.signalId)).size).toBe(made.length);
  expect(made.length).toBe(decisions.length);
  expect(made).toEqual(decisions);
  process.stdout.write(`rl-decision restarts: ${decisions.length} decisions, ${inputs.length} inputs; ${stops.join('; ')}\n`);
}, 60_000);
