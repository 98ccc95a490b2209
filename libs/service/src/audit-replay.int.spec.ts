import { resolve } from 'node:path';
import type { Message } from '@tradeloop/contracts';
import type { Envelope } from '@tradeloop/kernel';
import { readMarketDataFile } from '@tradeloop/market-data';
import { createScanner } from '@tradeloop/scanner';
import { JetStreamPublisher, topology, type Topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, uniqueNs, waitFor } from '@tradeloop/transport-nats/src/test-support';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ServiceRunner } from './runner';
import { replayServiceInbox, ServiceReplayError } from './audit-replay';

const DATA = resolve(__dirname, '../../../../shared/data');
const EURUSD = resolve(DATA, 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv');
const bars = readMarketDataFile(EURUSD, {}).bars.slice(0, 6_000);

let nc: NatsConnection;
let jsm: JetStreamManager;
let topo: Topology;

beforeEach(async () => {
  nc = await connectNats();
  jsm = await jetstreamManager(nc);
  topo = topology({ ns: uniqueNs('audit') });
});

afterEach(async () => {
  await deleteTopology(jsm, topo);
  for (const s of await jsm.streams.names().next()) if (s.startsWith(`${topo.ns}_IN_`)) await jsm.streams.delete(s);
  await nc.close();
});

async function publishBars(list: readonly Message<'BarClosed'>[]): Promise<void> {
  const pub = new JetStreamPublisher(jetstream(nc), topo);
  for (let i = 0; i < list.length; i += 500) void pub.publishBatch(list.slice(i, i + 500));
  await pub.flush();
}

/** The scanner as a deployment runs it: its configuration recorded at every start. */
function scannerRunner(config: { emaFastPeriod: number; rsiPeriod: number }): ServiceRunner {
  return new ServiceRunner({ service: 'scanner', decider: createScanner(config), nc, topo, startedConfig: config });
}

const deciderFor = (c: Readonly<Record<string, string | number | boolean>>) => createScanner({ emaFastPeriod: Number(c['emaFastPeriod']), rsiPeriod: Number(c['rsiPeriod']) });

async function runTwoConfigurations(): Promise<{ restartAt: number; signals: number }> {
  const first = scannerRunner({ emaFastPeriod: 20, rsiPeriod: 14 });
  await first.start();
  await publishBars(bars.slice(0, 3_000));
  await waitFor('first half handled', () => first.status().clock === bars[2_999].ts);
  await waitFor('first half acked', async () => (await first.lag()) === 0);
  const restartAt = first.status().lastSeq + 1;
  await first.stop();
  // A new configuration from the next inbox message on; the restart rebuilds with it.
  const second = scannerRunner({ emaFastPeriod: 12, rsiPeriod: 9 });
  await second.start();
  await publishBars(bars.slice(3_000));
  await waitFor('second half handled', () => second.status().clock === bars[bars.length - 1].ts);
  await waitFor('second half acked', async () => (await second.lag()) === 0);
  await second.stop();
  const signals = (await jsm.streams.info(topo.streams.SIG.name)).state.messages;
  return { restartAt, signals };
}

describe('replayServiceInbox: a service audited against what it published (real NATS, real EURUSD bars)', () => {
  test('two_configurations_when_replayed_then_every_output_is_identical_byte_for_byte', async () => {
    const { restartAt, signals } = await runTwoConfigurations();
    expect(signals).toBeGreaterThan(10);
    const report = await replayServiceInbox({ nc, topo, service: 'scanner', deciderFor });
    expect(report.identical).toBe(true);
    expect(report.differing).toBe(0);
    expect(report.outputs).toBe(signals);
    expect(report.unrecordedBefore).toBe(0);
    expect(report.segments.map((s) => [s.fromSeq, s.toSeq])).toEqual([
      [1, restartAt - 1],
      [restartAt, report.handledTo],
    ]);
    expect(report.messages).toBe(report.handledTo);
  });

  test('a_different_configuration_when_replayed_then_the_first_differing_output_is_named', async () => {
    const { restartAt } = await runTwoConfigurations();
    // A forged record claiming the first configuration decided the second half too.
    const forged: Envelope = {
      id: 'forged-started',
      type: 'ServiceStarted',
      version: 1,
      ts: 0,
      correlationId: 'forged-started',
      causationId: 'forged-started',
      account: 'paper',
      source: 'scanner',
      data: { service: 'scanner', inbox: `${topo.ns}_IN_SCANNER`, fromSeq: restartAt, dedupWindow: 200_000, config: { emaFastPeriod: 20, rsiPeriod: 14 } },
    };
    await new JetStreamPublisher(jetstream(nc), topo).publish(forged);
    const report = await replayServiceInbox({ nc, topo, service: 'scanner', deciderFor });
    expect(report.identical).toBe(false);
    expect(report.differing).toBeGreaterThan(0);
    expect(report.segments[1].startedId).toBe('forged-started');
    expect(report.first!.inboxSeq).toBeGreaterThanOrEqual(restartAt);
    expect(report.first!.type).toBe('SignalDetected');
  });

  test('inbox_when_its_first_messages_were_removed_then_error_says_the_state_cannot_be_rebuilt', async () => {
    await runTwoConfigurations();
    const inbox = `${topo.ns}_IN_SCANNER`;
    await jsm.streams.purge(inbox, { seq: 5 });
    await expect(replayServiceInbox({ nc, topo, service: 'scanner', deciderFor })).rejects.toThrow(
      new ServiceReplayError(`${inbox} starts at #5: earlier messages were removed, so the state cannot be rebuilt`),
    );
    // Reading leaves no consumer on the inbox but the service's own durable.
    expect((await jsm.consumers.list(inbox).next()).map((c) => c.name)).toEqual(['scanner']);
  });

  test('service_without_a_recorded_configuration_then_error_says_so', async () => {
    const runner = new ServiceRunner({ service: 'scanner', decider: createScanner({}), nc, topo });
    await runner.start();
    await runner.stop();
    await expect(replayServiceInbox({ nc, topo, service: 'scanner', deciderFor })).rejects.toThrow(ServiceReplayError);
    await expect(replayServiceInbox({ nc, topo, service: 'scanner', deciderFor })).rejects.toThrow(
      `no ServiceStarted of scanner in ${topo.ns}_SYS: it never ran, or ran a version that did not record its configuration`,
    );
  });
});
