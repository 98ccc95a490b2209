/** Shared set-up of the market-data integration tests: a namespace of its own on the test NATS server. */
import { resolve } from 'node:path';
import { decodeBatch, ensureTopology, topology, type MarketDataBatch, type Topology } from '@tradeloop/transport-nats';
import { connectNats, deleteTopology, readStream } from '@tradeloop/transport-nats/src/test-support';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Envelope } from '@tradeloop/kernel';

export const DATA = resolve(__dirname, '../../../..', 'shared/data');
export const EURUSD_FILE = 'forex/EURUSD_OANDA_1m_quotebars_2014-05-01_2014-05-15.csv';
export const RUN_START = Date.UTC(2024, 0, 1);

export interface NatsFixture {
  nc: NatsConnection;
  jsm: JetStreamManager;
  js: JetStreamClient;
  topo: Topology;
  /** Messages in the MD stream. */
  storedCount(): Promise<number>;
  /** The first `count` messages of the MD stream, each checked with decodeBatch. */
  readBatches(count: number): Promise<{ msg: JsMsg; batch: MarketDataBatch }[]>;
}

/** Registers the hooks: topology before all, an empty MD stream before each test, cleanup after all. */
export function useNatsFixture(label: string, ns: () => string): NatsFixture {
  const f = {} as NatsFixture;
  beforeAll(async () => {
    f.nc = await connectNats();
    f.jsm = await jetstreamManager(f.nc);
    f.js = jetstream(f.nc);
    f.topo = topology({ ns: ns() });
    await ensureTopology(f.jsm, f.topo);
  });
  afterAll(async () => {
    await deleteTopology(f.jsm, f.topo);
    await f.nc.close();
  });
  beforeEach(async () => {
    await f.jsm.streams.purge(f.topo.streams.MD.name);
  });
  f.storedCount = async () => (await f.jsm.streams.info(f.topo.streams.MD.name)).state.messages;
  f.readBatches = async (count) => {
    const stored = await readStream(f.js, f.topo.streams.MD.name, count, 30_000);
    return stored.map((msg) => {
      const r = decodeBatch(msg.data);
      if (!r.ok) throw new Error(`${label}: ${msg.subject} #${msg.seq}: ${JSON.stringify(r.error.slice(0, 3))}`);
      return { msg, batch: r.value };
    });
  };
  return f;
}

export const ids = (list: readonly Envelope[]): string[] => list.map((m) => m.id);
